package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Remove a deleted LOCAL volume's directory from this node. Sent by the scheduler once the volume
 * service announced the volume DELETED. Not about a task: {@link #taskId()} is null.
 */
public record DestroyVolume(String id, int schemaVersion, Instant occurredAt, String correlationId,
                            String nodeId, String volumeId) implements NodeCommand {

    public static DestroyVolume of(String nodeId, String volumeId, String correlationId) {
        return new DestroyVolume(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, nodeId, volumeId);
    }

    @Override
    public String taskId() {
        return null;
    }
}
