package dev.berth.gateway.volumes;

import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;

import java.time.Instant;

/**
 * A volume as the API shows it, from its latest event on {@code berth.volume-events}. Fields that
 * do not apply are null: {@code nodeId} for an external volume (it follows its task),
 * {@code attachedNodeId} and {@code attachedTaskId} while it is not attached.
 */
public record VolumeJson(String id, String name, String appId, String identity, VolumeType type, String provider,
                         long sizeMib, String nodeId, VolumeState state, String attachedNodeId,
                         String attachedTaskId, long fencingEpoch, Instant updatedAt) {

    public static VolumeJson of(VolumeSnapshot v) {
        return new VolumeJson(v.volumeId(), v.name(), v.appId(), v.identity(), v.type(), v.provider(), v.sizeMib(),
                v.nodeId(), v.state(), v.attachedNodeId(), v.attachedTaskId(), v.fencingEpoch(), v.updatedAt());
    }
}
