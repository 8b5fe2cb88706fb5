package dev.berth.volume.volume;

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
 * cannot both change it, which is what will keep an external volume attached to one node at most.
 */
@Entity
@Table(name = "volume")
public class Volume extends PanacheEntityBase {
    public enum Type { LOCAL, EXTERNAL }

    public enum State { AVAILABLE, ATTACHING, ATTACHED, DETACHING, FENCED, RELEASED }

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
    @Column(name = "fencing_epoch")
    public long fencingEpoch;
    @Version
    public long version;
    @Column(name = "created_at")
    public Instant createdAt = Instant.now();
    @Column(name = "updated_at")
    public Instant updatedAt = Instant.now();
}
