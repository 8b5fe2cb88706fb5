package dev.berth.volume.volume;

import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;

/**
 * One persistent volume's metadata. The schema belongs to Flyway ({@code db/migration}); this
 * entity maps it. {@code version} gives optimistic locking: two writers that read the same row
 * cannot both change it, which is what keeps an external volume attached to one node at most.
 *
 * <p>The lifecycle decides on {@link VolumeSnapshot}s ({@link #snapshot()}) and the outcome is
 * copied back ({@link #apply}), so the state machine stays plain Java.
 */
@Entity
@Table(name = "volume")
public class Volume extends PanacheEntityBase {
    public enum Type { LOCAL, EXTERNAL }

    public enum State { AVAILABLE, ATTACHING, ATTACHED, DETACHING, FENCED, RELEASED, DELETED }

    @Id
    public String id;
    public String name;
    @Column(name = "app_id")
    public String appId;
    public String identity;
    @Enumerated(EnumType.STRING)
    public Type type;
    public String provider;
    @Column(name = "size_mib")
    public long sizeMib;
    @Column(name = "node_id")
    public String nodeId;
    @Enumerated(EnumType.STRING)
    public State state = State.AVAILABLE;
    @Column(name = "attached_node_id")
    public String attachedNodeId;
    @Column(name = "attached_task_id")
    public String attachedTaskId;
    @Column(name = "fencing_epoch")
    public long fencingEpoch;
    @Column(name = "state_reason")
    public String stateReason;
    @Version
    public long version;
    @Column(name = "created_at")
    public Instant createdAt = Instant.now();
    @Column(name = "updated_at")
    public Instant updatedAt = Instant.now();

    /** A new row holding what a snapshot of a volume not yet stored says. */
    public static Volume from(VolumeSnapshot s) {
        Volume v = new Volume();
        v.id = s.volumeId();
        v.name = s.name();
        v.appId = s.appId();
        v.identity = s.identity();
        v.type = Type.valueOf(s.type().name());
        v.provider = s.provider();
        v.sizeMib = s.sizeMib();
        v.nodeId = s.nodeId();
        v.apply(s, null);
        return v;
    }

    /** This row as the contracts carry it (the version is the one last read or flushed). */
    public VolumeSnapshot snapshot() {
        return new VolumeSnapshot(id, name, appId, identity, VolumeType.valueOf(type.name()), provider, sizeMib,
                nodeId, VolumeState.valueOf(state.name()), attachedNodeId, attachedTaskId, fencingEpoch, version,
                updatedAt);
    }

    /**
     * Takes over the changeable part of a snapshot the lifecycle decided on: state, attachment and
     * epoch. What a volume is (app, identity, type, size, node binding) never changes after creation.
     */
    public void apply(VolumeSnapshot s, String reason) {
        state = State.valueOf(s.state().name());
        attachedNodeId = s.attachedNodeId();
        attachedTaskId = s.attachedTaskId();
        fencingEpoch = s.fencingEpoch();
        stateReason = reason;
        updatedAt = Instant.now();
    }
}
