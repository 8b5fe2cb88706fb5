package dev.berth.scheduler.core;

import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The scheduler's picture of every volume: the latest {@link VolumeSnapshot} per volume id, from
 * {@code berth.volume-events} (read from the start on takeover, then followed). The volume service
 * publishes its outbox at least once, so a redelivered or late event can carry an older snapshot
 * than one already held: it is ignored, by the row's version.
 */
final class VolumeView {
    private final Map<String, VolumeSnapshot> volumes = new HashMap<>();
    /** appId → volume id → snapshot, sorted so passes over an app's volumes are deterministic. */
    private final Map<String, Map<String, VolumeSnapshot>> byApp = new HashMap<>();
    /**
     * The node each volume was last attached (or attaching) to, kept after it is detached: the latest
     * snapshot of a volume whose task ended names no node any more, but its identity would rather
     * return there. Read from the start of the topic on takeover, so it survives a failover as long
     * as compaction has not yet dropped the snapshots that name the node.
     */
    private final Map<String, String> lastNodes = new HashMap<>();

    /**
     * Takes the snapshot unless an older one than held. The same version again is taken (an attach
     * repeated for the same task is answered with the volume unchanged).
     *
     * @return false when the snapshot was older than the one held, and nothing changed
     */
    boolean apply(VolumeSnapshot snapshot) {
        if (snapshot == null || snapshot.volumeId() == null || snapshot.state() == null) {
            return false;
        }
        VolumeSnapshot held = volumes.get(snapshot.volumeId());
        if (held != null && snapshot.version() < held.version()) {
            return false;
        }
        volumes.put(snapshot.volumeId(), snapshot);
        if (snapshot.attachedNodeId() != null) {
            lastNodes.put(snapshot.volumeId(), snapshot.attachedNodeId());
        }
        if (held != null && !Objects.equals(held.appId(), snapshot.appId())) {
            remove(held);
        }
        if (snapshot.appId() != null) {
            byApp.computeIfAbsent(snapshot.appId(), a -> new TreeMap<>()).put(snapshot.volumeId(), snapshot);
        }
        return true;
    }

    /** A tombstone on the topic: the volume is forgotten altogether. */
    void forget(String volumeId) {
        VolumeSnapshot held = volumes.remove(volumeId);
        lastNodes.remove(volumeId);
        if (held != null) {
            remove(held);
        }
    }

    Optional<VolumeSnapshot> get(String volumeId) {
        return Optional.ofNullable(volumes.get(volumeId));
    }

    /** The node the volume was last attached to, whether or not it still is. */
    Optional<String> lastNode(String volumeId) {
        return Optional.ofNullable(lastNodes.get(volumeId));
    }

    /** Every volume of the app, by id. */
    Collection<VolumeSnapshot> ofApp(String appId) {
        return List.copyOf(byApp.getOrDefault(appId, Map.of()).values());
    }

    /** The apps any volume belongs to. */
    Collection<String> apps() {
        return List.copyOf(byApp.keySet());
    }

    /** True when the service last announced the volume attached (or attaching) to a node. */
    static boolean held(VolumeSnapshot volume) {
        return (volume.state() == VolumeState.ATTACHING || volume.state() == VolumeState.ATTACHED)
                && volume.attachedNodeId() != null;
    }

    /** Neither released nor deleted: it still belongs to a live identity as far as the service knows. */
    static boolean inUse(VolumeSnapshot volume) {
        return volume.state() != VolumeState.RELEASED && volume.state() != VolumeState.DELETED;
    }

    private void remove(VolumeSnapshot held) {
        if (held.appId() == null) {
            return;
        }
        Map<String, VolumeSnapshot> ofApp = byApp.get(held.appId());
        if (ofApp != null) {
            ofApp.remove(held.volumeId());
            if (ofApp.isEmpty()) {
                byApp.remove(held.appId());
            }
        }
    }
}
