package dev.berth.agent.health;

/**
 * Builds the process that runs a COMMAND health check next to its task: in the task's namespaces,
 * with the sandbox as working directory, the task's environment and user. The task runtime supplies
 * it, since only the runtime knows how its tasks are isolated.
 *
 * <p>The process it builds must run until the command ends (no wrapper that forks and exits early):
 * its exit code is the check's result. Starting it through {@code setsid(1)} is welcome: when the
 * process leads its own group, a timed-out check also kills what the command orphaned.
 */
@FunctionalInterface
public interface CommandLauncher {
    /** A process, not started yet, that runs {@code /bin/sh -c shellCommand} next to the task. */
    ProcessBuilder next(String shellCommand);
}
