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
 * @param identity     the instance's stable identity ({@code db-0}) when the app has persistent
 *                     volumes; null for a stateless app
 * @param volumes      the volumes mounted into the task; a mount's epoch is 0 until the volume
 *                     service attached it
 * @param awaitingVolumes ids of the volumes not attached yet: the launch is sent to the node only
 *                     when none is left
 * @param drainUntil   for a task of a routed app the scheduler is stopping: the routers send it no new
 *                     request from now, and its kill is sent at this time, so the requests it has may
 *                     finish (docs/routing.md); null otherwise, and once the kill was sent
 */
public record TaskRecord(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String taskId, String appId, long appVersion, int instance,
                         String nodeId, String host, List<PortAssignment> ports,
                         DesiredState desired, TaskState state, String reason, Integer exitCode,
                         Instant launchedAt, Instant runningSince, String replaces,
                         HealthReport health, String identity, List<VolumeMount> volumes,
                         List<String> awaitingVolumes, Instant drainUntil) implements Message {

    public TaskRecord {
        ports = ports == null ? List.of() : List.copyOf(ports);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        awaitingVolumes = awaitingVolumes == null ? List.of() : List.copyOf(awaitingVolumes);
    }

    /** A record of a task that is not draining (the shape before drains existed). */
    public TaskRecord(String id, int schemaVersion, Instant occurredAt, String correlationId,
                      String taskId, String appId, long appVersion, int instance,
                      String nodeId, String host, List<PortAssignment> ports,
                      DesiredState desired, TaskState state, String reason, Integer exitCode,
                      Instant launchedAt, Instant runningSince, String replaces,
                      HealthReport health, String identity, List<VolumeMount> volumes,
                      List<String> awaitingVolumes) {
        this(id, schemaVersion, occurredAt, correlationId, taskId, appId, appVersion, instance, nodeId, host, ports,
                desired, state, reason, exitCode, launchedAt, runningSince, replaces, health, identity, volumes,
                awaitingVolumes, null);
    }

    /** A record of a task without volumes. */
    public TaskRecord(String id, int schemaVersion, Instant occurredAt, String correlationId,
                      String taskId, String appId, long appVersion, int instance,
                      String nodeId, String host, List<PortAssignment> ports,
                      DesiredState desired, TaskState state, String reason, Integer exitCode,
                      Instant launchedAt, Instant runningSince, String replaces, HealthReport health) {
        this(id, schemaVersion, occurredAt, correlationId, taskId, appId, appVersion, instance, nodeId, host,
                ports, desired, state, reason, exitCode, launchedAt, runningSince, replaces, health, null, List.of(),
                List.of());
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

    /**
     * A task of a stateful instance just placed: STAGING, wanted running, its launch held back until
     * the volume service has attached every volume ({@code awaitingVolumes}).
     */
    public static TaskRecord launchedWithVolumes(String correlationId, String taskId, String appId, long appVersion,
                                                 int instance, String identity, String nodeId, String host,
                                                 List<PortAssignment> ports, Instant at, String replaces,
                                                 List<VolumeMount> volumes) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, correlationId, taskId, appId, appVersion, instance,
                nodeId, host, ports, DesiredState.RUN, TaskState.STAGING, null, null, at, null, replaces, null,
                identity, volumes, volumes.stream().map(VolumeMount::volumeId).toList());
    }

    /**
     * The same task with one more volume attached at {@code epoch}: it leaves {@code awaitingVolumes}
     * and its mount carries the epoch.
     */
    public TaskRecord volumeAttached(String volumeId, long epoch, String cause, Instant at) {
        List<VolumeMount> mounts = volumes.stream().map(m -> m.volumeId().equals(volumeId)
                ? new VolumeMount(m.volumeId(), m.type(), m.provider(), m.containerPath(), m.readOnly(), m.sizeMib(),
                epoch) : m).toList();
        List<String> awaiting = awaitingVolumes.stream().filter(v -> !v.equals(volumeId)).toList();
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, cause, taskId, appId, appVersion, instance, nodeId,
                host, ports, desired, state, reason, exitCode, launchedAt, runningSince, replaces, health, identity,
                mounts, awaiting, drainUntil);
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
                replaces, newHealth == null ? health : newHealth, identity, volumes, awaitingVolumes, drainUntil);
    }

    /** The same task with a new desired state. */
    public TaskRecord wanting(DesiredState newDesired, String cause, Instant at) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, newDesired, state, reason, exitCode, launchedAt, runningSince,
                replaces, health, identity, volumes, awaitingVolumes, drainUntil);
    }

    /**
     * The same task, wanted stopped after a drain: the routers send it no new request from now, and its
     * kill is due at {@code until}, for the reason {@code why} (kept in {@code reason} until then).
     */
    public TaskRecord draining(Instant until, String why, String cause, Instant at) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, DesiredState.STOP, state, why, exitCode, launchedAt, runningSince,
                replaces, health, identity, volumes, awaitingVolumes, until);
    }

    /** The same task, its drain over: its kill is being sent. */
    public TaskRecord drained(String cause, Instant at) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, desired, state, reason, exitCode, launchedAt, runningSince,
                replaces, health, identity, volumes, awaitingVolumes, null);
    }

    /** The same task, no longer a replacement: the task it replaced is gone. */
    public TaskRecord settled(String cause, Instant at) {
        return new TaskRecord(Ids.newId(), SCHEMA_VERSION, at, cause, taskId, appId, appVersion,
                instance, nodeId, host, ports, desired, state, reason, exitCode, launchedAt, runningSince, null,
                health, identity, volumes, awaitingVolumes, drainUntil);
    }
}
