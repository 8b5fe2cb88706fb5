package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * What an agent observed of a task, on {@code berth.task-status} keyed by task id: a state
 * transition with its reason and, for ended tasks, the exit code; for HEALTHY and UNHEALTHY the
 * health check's detail. Written by agents; read by the
 * scheduler, which folds it into the task's {@link TaskRecord}.
 */
public record TaskStatus(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String taskId, String appId, String nodeId, TaskState state, String reason,
                         Integer exitCode, HealthReport health) implements Message {

    /** Reasons with a fixed meaning, at the start of {@link #reason()}, so tools can match on them. */
    public static final String OOM_KILLED = "OOM_KILLED";
    public static final String DISK_LIMIT_EXCEEDED = "DISK_LIMIT_EXCEEDED";
    public static final String HEALTH_CHECK_FAILED = "HEALTH_CHECK_FAILED";
    /**
     * The task held an external volume and was stopped on its node: the lease ran out (the node was
     * cut off from the cluster, or its agent died) or a newer attachment elsewhere made its epoch stale.
     */
    public static final String FENCED = "FENCED";
    /** The task's volumes could not be attached or mounted; the reason says which and why. */
    public static final String VOLUME_FAILED = "VOLUME_FAILED";
    /**
     * The task's image could not be pulled or unpacked: not found, credentials refused, a digest that does
     * not match, the registry unreachable; the reason says which image and why.
     */
    public static final String IMAGE_PULL_FAILED = "IMAGE_PULL_FAILED";
    /** The task's bridge network could not be made on its node; the reason says which step failed and why. */
    public static final String NETWORK_FAILED = "NETWORK_FAILED";

    /** A status without health-check detail. */
    public TaskStatus(String id, int schemaVersion, Instant occurredAt, String correlationId, String taskId,
                      String appId, String nodeId, TaskState state, String reason, Integer exitCode) {
        this(id, schemaVersion, occurredAt, correlationId, taskId, appId, nodeId, state, reason, exitCode, null);
    }

    public static TaskStatus of(String taskId, String appId, String nodeId, TaskState state, String reason,
                                Integer exitCode, String correlationId) {
        return new TaskStatus(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, taskId, appId, nodeId,
                state, reason, exitCode, null);
    }

    /** A health transition (HEALTHY or UNHEALTHY) of a running task. */
    public static TaskStatus health(String taskId, String appId, String nodeId, TaskState state, String reason,
                                    HealthReport health) {
        return new TaskStatus(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, taskId, appId, nodeId, state,
                reason, null, health);
    }
}
