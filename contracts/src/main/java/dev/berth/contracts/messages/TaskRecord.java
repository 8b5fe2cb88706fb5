package dev.berth.contracts.messages;

import java.time.Instant;
import java.util.List;

/**
 * The scheduler's record of one task, on the compacted {@code berth.tasks} keyed by task id:
 * what should happen to it ({@code desired}), what was last observed ({@code state}), and where
 * it runs. Written only by the scheduler; read by the gateway and by a scheduler that takes over.
 * A tombstone removes a task that has ended and is no longer wanted.
 */
public record TaskRecord(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String taskId, String appId, long appVersion, int instance,
                         String nodeId, String host, List<PortAssignment> ports,
                         DesiredState desired, TaskState state, String reason, Integer exitCode) implements Message {

    public TaskRecord {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** The same task with a new observed state; a new message id, the cause as correlation. */
    public TaskRecord observed(TaskState newState, String newReason, Integer newExitCode, String cause) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, desired, newState, newReason, newExitCode);
    }

    /** The same task with a new desired state. */
    public TaskRecord wanting(DesiredState newDesired, String cause) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, newDesired, state, reason, exitCode);
    }
}
