package dev.berth.volume.volume;

import java.time.Instant;

/** A volume as the API shows it. */
public record VolumeJson(String id, String name, String appId, String identity, Volume.Type type, String provider,
                         long sizeMib, String nodeId, Volume.State state, String attachedNodeId, long fencingEpoch,
                         long version, Instant createdAt, Instant updatedAt) {
    public static VolumeJson of(Volume v) {
        return new VolumeJson(v.id, v.name, v.appId, v.identity, v.type, v.provider, v.sizeMib, v.nodeId, v.state,
                v.attachedNodeId, v.fencingEpoch, v.version, v.createdAt, v.updatedAt);
    }
}
