package dev.berth.volume.volume;

import dev.berth.volume.history.VolumeHistory;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/**
 * Reads of volumes and their history, each in its own session. Every change goes through the
 * lifecycle ({@code dev.berth.volume.lifecycle.VolumeCommands}), which audits and announces it.
 */
@ApplicationScoped
public class VolumeService {
    @Inject
    VolumeRepository volumes;

    @WithSession
    public Uni<List<Volume>> search(String appId, String nodeId, Volume.State state) {
        return volumes.search(appId, nodeId, state);
    }

    @WithSession
    public Uni<Volume> find(String id) {
        return volumes.findById(id);
    }

    @WithSession
    public Uni<List<Volume>> inState(Volume.State state) {
        return volumes.list("state = ?1 order by id", state);
    }

    /** The volume's changes, oldest first. */
    @WithSession
    public Uni<List<VolumeHistory>> history(String volumeId) {
        return VolumeHistory.list("volumeId = ?1 order by id", volumeId);
    }
}
