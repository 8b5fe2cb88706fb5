package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Destroy the volume and its data. Only a RELEASED volume can be deleted; any other is refused
 * (DELETE_REFUSED). An external volume's data is removed by the volume service's driver; a local
 * one's by its node's agent, on the scheduler's {@link DestroyVolume}.
 */
public record DeleteVolume(String id, int schemaVersion, Instant occurredAt, String correlationId,
                           String volumeId, String reason) implements VolumeCommand {

    public static DeleteVolume of(String volumeId, String reason, String correlationId) {
        return new DeleteVolume(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, volumeId, reason);
    }
}
