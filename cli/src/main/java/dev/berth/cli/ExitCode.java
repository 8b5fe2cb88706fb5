package dev.berth.cli;

/**
 * What {@code berth} exits with, so scripts can tell a refusal from a missing app from a deployment
 * that failed without reading the words. The numbers are part of the command line's interface
 * (docs/cli.md): never renumber one.
 */
public enum ExitCode {
    OK(0),
    /** The command line itself was wrong: an unknown command or option, a missing argument. */
    USAGE(1),
    /** The API refused the request (400, 403, 409, 422 …): asking again the same way will not help. */
    REFUSED(2),
    /** The app, task, deployment … does not exist, or belongs to a team the caller is not in. */
    NOT_FOUND(3),
    /** A wait ended badly: its deadline passed, or the deployment failed or was rolled back. */
    FAILED_OR_TIMED_OUT(4),
    /** No gateway (or Keycloak) answers, or no valid login: nothing was asked of the API. */
    UNREACHABLE_OR_LOGGED_OUT(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
