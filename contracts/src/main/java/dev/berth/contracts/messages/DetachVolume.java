package dev.berth.contracts.messages;

import java.time.Instant;

/** The task holding the volume has ended: ATTACHED to that task → AVAILABLE. Anything else: no change. */
public record DetachVolume(String id, int schemaVersion, Instant occurredAt, String correlationId,
                           String volumeId, String nodeId, String taskId) implements VolumeCommand {

    public static DetachVolume of(String volumeId, String nodeId, String taskId, String correlationId) {
        return new DetachVolume(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, volumeId, nodeId, taskId);
    }
}
