package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Stop this task: SIGTERM to its whole process tree, SIGKILL after {@code gracePeriodSeconds}.
 * A kill for a task the agent does not run is answered with a KILLED status, so the scheduler
 * can forget it.
 */
public record KillTask(String id, int schemaVersion, Instant occurredAt, String correlationId,
                       String nodeId, String taskId, int gracePeriodSeconds, String reason) implements NodeCommand {

    public static KillTask of(String nodeId, String taskId, int gracePeriodSeconds, String reason,
                              String correlationId) {
        return new KillTask(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, nodeId, taskId,
                gracePeriodSeconds, reason);
    }
}
