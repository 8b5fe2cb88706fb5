package dev.berth.volume.lifecycle;

import dev.berth.contracts.messages.VolumeCommand;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A command id carried out, written in the command's own transaction: a redelivery finds it and does nothing. */
@Entity
@Table(name = "processed_command")
public class ProcessedCommand extends PanacheEntityBase {
    @Id
    @Column(name = "command_id")
    public String commandId;
    @Column(name = "volume_id")
    public String volumeId;
    @Column(name = "command_type")
    public String commandType;
    @Column(name = "processed_at")
    public Instant processedAt = Instant.now();

    static ProcessedCommand of(VolumeCommand command) {
        ProcessedCommand processed = new ProcessedCommand();
        processed.commandId = command.id();
        processed.volumeId = command.volumeId();
        processed.commandType = command.getClass().getSimpleName();
        return processed;
    }
}
