package dev.berth.volume.outbox;

import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.VolumeEvent;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A {@link VolumeEvent} waiting to be published, written in the transaction of the change it
 * announces. Its id orders the events of one volume as their changes committed, because the change
 * (an optimistic-locked update of the volume's row) is flushed before the row is written.
 * The relay also derives the event's public announcement on {@code berth.events} from it, so one row
 * serves both streams.
 */
@Entity
@Table(name = "volume_outbox")
public class OutboxEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "volume_id")
    public String volumeId;
    @Column(name = "event_id")
    public String eventId;
    /** The event as {@link JsonCodec} writes it: published byte for byte. */
    public String event;
    @Column(name = "created_at")
    public Instant createdAt = Instant.now();

    public static OutboxEvent of(VolumeEvent event) {
        OutboxEvent row = new OutboxEvent();
        row.volumeId = event.volumeId();
        row.eventId = event.id();
        row.event = JsonCodec.encode(event);
        return row;
    }
}
