package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * The identity that owns the volume went away (scaled down, replaced elsewhere, app deleted without
 * wipe): the volume is kept, with its data, as RELEASED. Scaling back up attaches it again.
 */
public record ReleaseVolume(String id, int schemaVersion, Instant occurredAt, String correlationId,
                            String volumeId, String reason) implements VolumeCommand {

    public static ReleaseVolume of(String volumeId, String reason, String correlationId) {
        return new ReleaseVolume(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, volumeId, reason);
    }
}
