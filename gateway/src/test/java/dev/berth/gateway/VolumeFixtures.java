package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.testkit.KafkaProbe;

import java.time.Instant;

/** Volumes as the volume service would announce them, for tests that play it on the real broker. */
final class VolumeFixtures {
    private VolumeFixtures() {
    }

    /** A local volume on {@code nodeId}, not attached. */
    static VolumeSnapshot local(String id, String appId, String identity, String nodeId, VolumeState state,
                                long version) {
        return new VolumeSnapshot(id, "data", appId, identity, VolumeType.LOCAL, "local", 512, nodeId, state, null,
                null, 1, version, Instant.now());
    }

    /** An external volume attached to {@code nodeId} for {@code taskId}. */
    static VolumeSnapshot attachedExternal(String id, String appId, String identity, String nodeId, String taskId,
                                           long epoch, long version) {
        return new VolumeSnapshot(id, id, appId, identity, VolumeType.EXTERNAL, "sharedfs", 1024, null,
                VolumeState.ATTACHED, nodeId, taskId, epoch, version, Instant.now());
    }

    static VolumeSnapshot inState(VolumeSnapshot v, VolumeState state, long version) {
        return new VolumeSnapshot(v.volumeId(), v.name(), v.appId(), v.identity(), v.type(), v.provider(), v.sizeMib(),
                v.nodeId(), state, v.attachedNodeId(), v.attachedTaskId(), v.fencingEpoch(), version, Instant.now());
    }

    /** Publishes the event on berth.volume-events keyed by the volume id, as the volume service's relay does. */
    static void publish(KafkaProbe kafka, VolumeEvent.Kind kind, VolumeSnapshot volume, String reason,
                        String correlationId) {
        kafka.send(Topics.VOLUME_EVENTS.name(), volume.volumeId(),
                JsonCodec.encodeBytes(VolumeEvent.of(kind, volume, null, reason, correlationId)));
    }

    static void publish(KafkaProbe kafka, VolumeEvent.Kind kind, VolumeSnapshot volume) {
        publish(kafka, kind, volume, null, null);
    }
}
