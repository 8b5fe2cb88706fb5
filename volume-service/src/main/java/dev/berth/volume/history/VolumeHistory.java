package dev.berth.volume.history;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One change of a volume (or one refusal to change it), written in the transaction of the change:
 * the audit trail of who held a volume, with which epoch, and why it moved. Never updated.
 */
@Entity
@Table(name = "volume_history")
public class VolumeHistory extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "volume_id")
    public String volumeId;
    /** The {@code VolumeEvent.Kind} the change was announced (or, for an intermediate step, recorded) as. */
    public String kind;
    @Column(name = "from_state")
    public String fromState;
    @Column(name = "to_state")
    public String toState;
    @Column(name = "node_id")
    public String nodeId;
    @Column(name = "task_id")
    public String taskId;
    @Column(name = "fencing_epoch")
    public long fencingEpoch;
    public String reason;
    @Column(name = "command_id")
    public String commandId;
    public Instant at = Instant.now();
}
