package dev.berth.contracts.messages;

import java.time.Instant;
import java.util.Map;

/**
 * Attach this volume to {@code nodeId} for {@code taskId}, creating its metadata on first use (a
 * LOCAL volume is then bound to that node for life). Refused (ATTACH_REFUSED, nothing changed) when
 * the volume is attached to another task, fenced holders aside; when a LOCAL volume lives on another
 * node; when it belongs to another app or identity; or when it was deleted. An attach that is
 * already in force for the same node and task is answered again with ATTACHED, unchanged.
 */
public record AttachVolume(String id, int schemaVersion, Instant occurredAt, String correlationId,
                           String volumeId, String name, String appId, String identity, VolumeType type,
                           String provider, long sizeMib, Map<String, String> options, String nodeId,
                           String taskId) implements VolumeCommand {
    public AttachVolume {
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public static AttachVolume of(String volumeId, String name, String appId, String identity, VolumeType type,
                                  String provider, long sizeMib, Map<String, String> options, String nodeId,
                                  String taskId, String correlationId) {
        return new AttachVolume(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, volumeId, name, appId,
                identity, type, provider, sizeMib, options, nodeId, taskId);
    }
}
