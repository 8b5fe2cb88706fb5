package dev.berth.cli.login;

import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/**
 * The device authorization grant (RFC 8628) at a terminal: print where to confirm and the code, then
 * ask the token endpoint at the interval Keycloak set — slower when it says {@code slow_down} — until
 * the person confirmed, refused, or the code expired.
 */
final class DeviceLogin {
    private final Oidc oidc;
    private final PrintWriter out;

    DeviceLogin(Oidc oidc, PrintWriter out) {
        this.oidc = oidc;
        this.out = out;
    }

    TokenAnswer run(Oidc.Endpoints endpoints, String clientId) {
        if (endpoints.deviceAuthorization() == null) {
            throw new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT, "Keycloak at " + endpoints.issuer()
                    + " offers no device grant: log in with --username, or --client-id for a service account");
        }
        Oidc.DeviceCode code = oidc.startDevice(endpoints.deviceAuthorization(), clientId);
        out.println("Open this address in a browser and confirm the code " + code.userCode() + ":");
        out.println("  " + (code.verificationUriComplete() != null ? code.verificationUriComplete() : code.verificationUri()));
        out.println("Waiting for you to confirm (Ctrl-C to give up) ...");
        out.flush();
        Instant deadline = Instant.now().plusSeconds(code.expiresIn());
        long interval = code.interval();
        while (Instant.now().isBefore(deadline)) {
            pause(Duration.ofSeconds(interval));
            Oidc.TokenResult result = oidc.pollDevice(endpoints.token(), clientId, code.deviceCode());
            if (result.token() != null) {
                return result.token();
            }
            switch (result.error()) {
                case "authorization_pending" -> { }
                // RFC 8628 §3.5: every slow_down adds 5 seconds to the interval, for good.
                case "slow_down" -> interval += 5;
                default -> throw new CliFailure(ExitCode.UNREACHABLE_OR_LOGGED_OUT,
                        "the login was not confirmed: " + (result.description().isEmpty() ? result.error() : result.description()));
            }
        }
        throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, "the code " + code.userCode() + " expired before it was confirmed");
    }

    // The protocol's own pacing between polls (the interval Keycloak asks for), not a wait for an outcome.
    private static void pause(Duration interval) {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, "interrupted");
        }
    }
}
