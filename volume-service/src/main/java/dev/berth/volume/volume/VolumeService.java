package dev.berth.volume.volume;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;

import java.time.Instant;
import java.util.List;

/** Volume reads and changes; each change is one transaction. The lifecycle proper is a later issue. */
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

    @WithTransaction
    public Uni<Volume> create(Volume volume) {
        return volumes.persist(volume);
    }

    /**
     * Moves a volume to a new state, provided nobody changed it since the caller read
     * {@code expectedVersion}. A caller holding an older version is refused here; a writer that
     * races between this check and the commit is refused by {@code @Version} at the commit.
     * Either way it is an {@link OptimisticLockException} and nothing changes.
     */
    @WithTransaction
    public Uni<Volume> changeState(String id, long expectedVersion, Volume.State state, String attachedNodeId) {
        return volumes.findById(id).onItem().ifNotNull().transform(volume -> {
            if (volume.version != expectedVersion) {
                throw new OptimisticLockException("volume " + id + " changed since version " + expectedVersion
                        + " (now " + volume.version + ")");
            }
            volume.state = state;
            volume.attachedNodeId = attachedNodeId;
            volume.updatedAt = Instant.now();
            return volume;
        });
    }
}
