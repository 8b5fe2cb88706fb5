package dev.berth.volume.volume;

import java.time.Instant;

/** A volume as the volume service's own API shows it, from its record in PostgreSQL (the gateway shows the announced one). {@code stateReason}: why it is in its state (a fence's cause, a release's reason). */
public record VolumeRecordJson(String id, String name, String appId, String identity, Volume.Type type, String provider,
                         long sizeMib, String nodeId, Volume.State state, String attachedNodeId,
                         String attachedTaskId, long fencingEpoch, String stateReason, long version,
                         Instant createdAt, Instant updatedAt) {
    public static VolumeRecordJson of(Volume v) {
        return new VolumeRecordJson(v.id, v.name, v.appId, v.identity, v.type, v.provider, v.sizeMib, v.nodeId, v.state,
                v.attachedNodeId, v.attachedTaskId, v.fencingEpoch, v.stateReason, v.version, v.createdAt,
                v.updatedAt);
    }
}
