package dev.berth.contracts.messages;

import java.time.Instant;

/** Start this task on this node. A launch for a task id the agent already runs changes nothing. */
public record LaunchTask(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String nodeId, String taskId, String appId, long appVersion, TaskSpec spec)
        implements NodeCommand {

    public static LaunchTask of(String nodeId, String taskId, String appId, long appVersion, TaskSpec spec,
                                String correlationId) {
        return new LaunchTask(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, nodeId, taskId, appId,
                appVersion, spec);
    }
}
