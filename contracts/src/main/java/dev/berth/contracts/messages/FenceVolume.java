package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * The node holding the volume is lost and the lease its tasks ran under has surely run out (the
 * scheduler waits for that before it sends this): void that attachment and raise the epoch, so the
 * old holder, should it come back, is stale. Only an attachment to {@code nodeId} is fenced.
 */
public record FenceVolume(String id, int schemaVersion, Instant occurredAt, String correlationId,
                          String volumeId, String nodeId, String reason) implements VolumeCommand {

    public static FenceVolume of(String volumeId, String nodeId, String reason, String correlationId) {
        return new FenceVolume(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, volumeId, nodeId, reason);
    }
}
