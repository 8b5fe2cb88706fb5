package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * What an agent observed of a task, on {@code berth.task-status} keyed by task id: a state
 * transition with its reason and, for ended tasks, the exit code. Written by agents; read by the
 * scheduler, which folds it into the task's {@link TaskRecord}.
 */
public record TaskStatus(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String taskId, String appId, String nodeId, TaskState state, String reason,
                         Integer exitCode) implements Message {

    public static TaskStatus of(String taskId, String appId, String nodeId, TaskState state, String reason,
                                Integer exitCode, String correlationId) {
        return new TaskStatus(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, taskId, appId, nodeId,
                state, reason, exitCode);
    }
}
