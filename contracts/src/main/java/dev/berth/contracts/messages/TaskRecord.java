package dev.berth.contracts.messages;

import java.time.Instant;
import java.util.List;

/**
 * The scheduler's record of one task, on the compacted {@code berth.tasks} keyed by task id:
 * what should happen to it ({@code desired}), what was last observed ({@code state}), and where
 * it runs. Written only by the scheduler; read by the gateway and by a scheduler that takes over.
 * A tombstone removes a task that has ended and is no longer wanted.
 *
 * @param launchedAt   when the scheduler placed it (scale-down picks the youngest or oldest by it)
 * @param runningSince when it was first seen RUNNING; null before (a task that stays up resets backoff)
 * @param replaces     the task this one is to take over from (a drain moves a task by starting its
 *                     replacement first); null for an ordinary task
 * @param health       the last health-check detail an agent reported (with a HEALTHY or UNHEALTHY
 *                     status), kept through later statuses that carry none, so the API can show why
 *                     a task is being replaced; null while no check has reported, and in records
 *                     written before it existed
 */
public record TaskRecord(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String taskId, String appId, long appVersion, int instance,
                         String nodeId, String host, List<PortAssignment> ports,
                         DesiredState desired, TaskState state, String reason, Integer exitCode,
                         Instant launchedAt, Instant runningSince, String replaces,
                         HealthReport health) implements Message {

    public TaskRecord {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** A record without health-check detail. */
    public TaskRecord(String id, int schemaVersion, Instant occurredAt, String correlationId,
                      String taskId, String appId, long appVersion, int instance,
                      String nodeId, String host, List<PortAssignment> ports,
                      DesiredState desired, TaskState state, String reason, Integer exitCode,
                      Instant launchedAt, Instant runningSince, String replaces) {
        this(id, schemaVersion, occurredAt, correlationId, taskId, appId, appVersion, instance, nodeId, host,
                ports, desired, state, reason, exitCode, launchedAt, runningSince, replaces, null);
    }

    /** A task just placed: STAGING, wanted running. */
    public static TaskRecord launched(String correlationId, String taskId, String appId, long appVersion,
                                      int instance, String nodeId, String host, List<PortAssignment> ports,
                                      Instant at, String replaces) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, correlationId, taskId, appId, appVersion, instance,
                nodeId, host, ports, DesiredState.RUN, TaskState.STAGING, null, null, at, null, replaces, null);
    }

    /** The same task with a new observed state and the same health; a new message id, the cause as correlation. */
    public TaskRecord observed(TaskState newState, String newReason, Integer newExitCode, String cause, Instant at) {
        return observed(newState, newReason, newExitCode, null, cause, at);
    }

    /**
     * The same task with a new observed state and, when {@code newHealth} is not null, that health;
     * a status without health detail (RUNNING, KILLING, an end) keeps the last one.
     */
    public TaskRecord observed(TaskState newState, String newReason, Integer newExitCode, HealthReport newHealth,
                               String cause, Instant at) {
        Instant since = runningSince == null && newState.isActive() ? at : runningSince;
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, desired, newState, newReason, newExitCode, launchedAt, since,
                replaces, newHealth == null ? health : newHealth);
    }

    /** The same task with a new desired state. */
    public TaskRecord wanting(DesiredState newDesired, String cause, Instant at) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, newDesired, state, reason, exitCode, launchedAt, runningSince,
                replaces, health);
    }

    /** The same task, no longer a replacement: the task it replaced is gone. */
    public TaskRecord settled(String cause, Instant at) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, desired, state, reason, exitCode, launchedAt, runningSince, null,
                health);
    }
}
