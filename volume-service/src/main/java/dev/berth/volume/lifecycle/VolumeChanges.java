package dev.berth.volume.lifecycle;

import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.volume.history.VolumeHistory;
import dev.berth.volume.lifecycle.Decision.Answer;
import dev.berth.volume.lifecycle.Decision.Change;
import dev.berth.volume.lifecycle.Decision.Step;
import dev.berth.volume.lifecycle.Decision.Unchanged;
import dev.berth.volume.outbox.OutboxEvent;
import dev.berth.volume.volume.Volume;
import dev.berth.volume.volume.VolumeRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Applies the lifecycle's decisions to the store, each in ONE transaction: the volume's row (under
 * optimistic locking), a history row per step, an outbox row per event and, for a command, its id.
 * A conflicting writer makes the transaction fail as a whole; {@link VolumeCommands} decides again.
 */
@ApplicationScoped
public class VolumeChanges {
    @Inject
    VolumeRepository volumes;

    /** Carries out a command, or nothing at all when its id was carried out before. */
    @WithTransaction
    public Uni<Outcome> carryOut(VolumeCommand command) {
        return ProcessedCommand.<ProcessedCommand>findById(command.id()).flatMap(seen -> {
            if (seen != null) {
                return Uni.createFrom().item(Outcome.duplicate());
            }
            return volumes.findById(command.volumeId())
                    .flatMap(row -> apply(row, VolumeLifecycle.decide(snapshot(row), command), command.id(),
                            command.id()))
                    // Written last: a conflict on it (the same command carried out concurrently) fails
                    // the whole transaction, and the retry finds it done.
                    .call(outcome -> ProcessedCommand.of(command).persist());
        });
    }

    /**
     * The driver provisioned the grant with {@code epoch}: ATTACHED, unless the volume moved on
     * meanwhile. {@code commandId} is the attach that asked for it (null after a crash's recovery):
     * its history rows then tell the whole attachment.
     */
    @WithTransaction
    public Uni<Outcome> provisioned(String volumeId, long epoch, String commandId) {
        return volumes.findById(volumeId).flatMap(row ->
                apply(row, VolumeLifecycle.provisioned(snapshot(row), epoch), commandId, commandId));
    }

    /** The driver failed to provision the grant with {@code epoch}: the grant is undone and the attach refused. */
    @WithTransaction
    public Uni<Outcome> provisioningFailed(String volumeId, long epoch, String reason, String commandId) {
        return volumes.findById(volumeId).flatMap(row ->
                apply(row, VolumeLifecycle.provisioningFailed(snapshot(row), epoch, reason), commandId,
                        commandId));
    }

    private Uni<Outcome> apply(Volume row, Decision decision, String commandId, String correlationId) {
        if (decision instanceof Unchanged unchanged) {
            return Uni.createFrom().item(new Outcome(Outcome.Result.UNCHANGED, snapshot(row), null, unchanged.why(),
                    Decision.FollowUp.NONE));
        }
        if (decision instanceof Answer answer) {
            VolumeSnapshot as = row.snapshot();
            VolumeEvent event = VolumeEvent.of(answer.kind(), as, answer.taskId(), answer.reason(), correlationId);
            return history(as, answer.kind(), as, answer.nodeId(), answer.taskId(), answer.reason(), commandId)
                    .chain(() -> OutboxEvent.of(event).persist())
                    .replaceWith(new Outcome(Outcome.Result.ANSWERED, as, answer.kind(), answer.reason(),
                            Decision.FollowUp.NONE));
        }
        Change change = (Change) decision;
        Uni<Volume> applied = Uni.createFrom().item(row);
        for (Step step : change.steps()) {
            applied = applied.flatMap(current -> step(current, step, commandId, correlationId));
        }
        return applied.map(volume -> new Outcome(Outcome.Result.CHANGED, volume.snapshot(), lastAnnounced(change),
                null, change.followUp()));
    }

    private Uni<Volume> step(Volume current, Step step, String commandId, String correlationId) {
        VolumeSnapshot before = snapshot(current);
        Volume volume;
        if (current == null) {
            volume = Volume.from(step.after());
        } else {
            volume = current;
            volume.apply(step.after(), step.reason());
        }
        // Flushed before the outbox row is written: the volume's row is then locked (or the version
        // conflict already raised), so outbox ids follow the order in which a volume's changes commit,
        // and the snapshot carries the version the change got.
        Uni<Void> flushed = current == null ? volume.persist().chain(Panache::flush) : Panache.flush();
        return flushed.chain(() -> {
            VolumeSnapshot after = volume.snapshot();
            Uni<Void> written = history(before, step.kind(), after, step.nodeId(), step.taskId(), step.reason(),
                    commandId);
            if (step.announced()) {
                VolumeEvent event = VolumeEvent.of(step.kind(), after, step.taskId(), step.reason(), correlationId);
                written = written.chain(() -> OutboxEvent.of(event).persist()).replaceWithVoid();
            }
            return written.replaceWith(volume);
        });
    }

    private static Uni<Void> history(VolumeSnapshot before, VolumeEvent.Kind kind, VolumeSnapshot after,
                                     String nodeId, String taskId, String reason, String commandId) {
        VolumeHistory row = new VolumeHistory();
        row.volumeId = after.volumeId();
        row.kind = kind.name();
        row.fromState = before == null ? null : before.state().name();
        row.toState = after.state().name();
        row.nodeId = nodeId;
        row.taskId = taskId;
        row.fencingEpoch = after.fencingEpoch();
        row.reason = reason;
        row.commandId = commandId;
        return row.persist().replaceWithVoid();
    }

    private static VolumeEvent.Kind lastAnnounced(Change change) {
        VolumeEvent.Kind kind = null;
        for (Step step : change.steps()) {
            if (step.announced()) {
                kind = step.kind();
            }
        }
        return kind;
    }

    private static VolumeSnapshot snapshot(Volume row) {
        return row == null ? null : row.snapshot();
    }
}
