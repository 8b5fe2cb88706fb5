package dev.berth.gateway.apps;

import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;

/**
 * One of an app's volumes on the app's page: which identity owns it and where it is. The whole
 * volume is at {@code /v1/volumes/{id}}.
 */
public record AppVolumeJson(String id, String identity, VolumeType type, VolumeState state, String nodeId,
                            String attachedNodeId) {

    public static AppVolumeJson of(VolumeSnapshot v) {
        return new AppVolumeJson(v.volumeId(), v.identity(), v.type(), v.state(), v.nodeId(), v.attachedNodeId());
    }
}
