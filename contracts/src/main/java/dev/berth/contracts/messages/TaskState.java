package dev.berth.contracts.messages;

/**
 * Observed state of a task, as an agent reports it (and LOST, which the scheduler concludes).
 * Mesos's names, so operators coming from DC/OS read them without a glossary.
 */
public enum TaskState {
    /** Placed by the scheduler, launch command sent, not yet acknowledged by the agent. */
    STAGING,
    /** The agent is preparing the sandbox and starting the process. */
    STARTING,
    /** The process runs. */
    RUNNING,
    /** Running and its health checks pass. */
    HEALTHY,
    /** Running but its health checks fail. */
    UNHEALTHY,
    /** A kill was requested and is under way. */
    KILLING,
    /** Exited with code 0 on its own. */
    FINISHED,
    /** Exited non-zero, or could not be started. */
    FAILED,
    /** Stopped on request. */
    KILLED,
    /** Its node stopped answering; nobody knows whether it still runs. */
    LOST;

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == KILLED || this == LOST;
    }

    public boolean isActive() {
        return this == RUNNING || this == HEALTHY || this == UNHEALTHY;
    }
}
