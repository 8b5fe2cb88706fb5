package dev.berth.volume.lifecycle;

import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.volume.VolumeConfig;
import dev.berth.volume.metrics.VolumeMetrics;
import dev.berth.volume.provisioning.VolumeProvisioners;
import dev.berth.volume.outbox.OutboxRelay;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Carries out volume commands from start to finish, whoever sends them (the Kafka consumer, the
 * REST API): the command's transaction, then the driver's work, then (for an attach) the second
 * transaction that makes it ATTACHED, waking the outbox relay after each commit so events go out at
 * once. Blocking: call it from a worker or a plain thread, never from an event loop.
 */
@ApplicationScoped
public class VolumeCommands {
    private static final Logger LOG = Logger.getLogger(VolumeCommands.class);
    /** How often a transaction that lost a race is decided again before the conflict counts as a fault. */
    private static final int ATTEMPTS = 5;

    @Inject
    VolumeChanges changes;
    @Inject
    VolumeProvisioners drivers;
    @Inject
    VolumeConfig config;
    @Inject
    OutboxRelay relay;
    @Inject
    VolumeMetrics metrics;

    public Outcome execute(VolumeCommand command) {
        long began = System.nanoTime();
        Outcome outcome = carryOut(command);
        metrics.carriedOut(command, outcome, System.nanoTime() - began);
        return outcome;
    }

    private Outcome carryOut(VolumeCommand command) {
        Outcome outcome = retryingConflicts(() -> changes.carryOut(command));
        relay.wakeUp();
        switch (outcome.followUp()) {
            case PROVISION:
                pauseBeforeProvisioning();
                return finishAttachment(outcome.volume(), command.id());
            case DESTROY:
                destroy(outcome.volume());
                return outcome;
            default:
                return outcome;
        }
    }

    /**
     * Provisions a granted (ATTACHING) volume and makes it ATTACHED; or, when the driver fails, undoes
     * the grant with ATTACH_REFUSED. Also how the start-up recovery finishes a grant a crash cut short.
     */
    public Outcome finishAttachment(VolumeSnapshot granted, String correlationId) {
        Outcome outcome;
        try {
            drivers.provision(granted);
            outcome = retryingConflicts(() ->
                    changes.provisioned(granted.volumeId(), granted.fencingEpoch(), correlationId));
        } catch (Exception e) {
            LOG.errorf(e, "cannot provision volume %s (provider %s)", granted.volumeId(), granted.provider());
            String reason = "the " + granted.provider() + " driver could not provision volume "
                    + granted.volumeId() + ": " + e.getMessage();
            outcome = retryingConflicts(() ->
                    changes.provisioningFailed(granted.volumeId(), granted.fencingEpoch(), reason, correlationId));
        }
        relay.wakeUp();
        return outcome;
    }

    /**
     * Destroys a deleted volume's data. Runs after the deletion committed, so no data of a volume that
     * is not DELETED is ever touched; a failure (or a crash before this) leaves the data, and the
     * next start-up's recovery tries again.
     */
    public void destroy(VolumeSnapshot deleted) {
        try {
            drivers.destroy(deleted);
        } catch (Exception e) {
            LOG.errorf(e, "cannot destroy the data of deleted volume %s; the next start tries again",
                    deleted.volumeId());
        }
    }

    /**
     * Runs a transaction, and again when it lost a race with another writer (optimistic locking): the
     * retry reads the volume afresh and decides on what the winner left, e.g. refuses a second node.
     */
    private static Outcome retryingConflicts(Supplier<Uni<Outcome>> transaction) {
        for (int attempt = 1; ; attempt++) {
            try {
                return OnVertx.await(transaction);
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !Failures.isConflict(e)) {
                    throw e;
                }
                LOG.debugf("lost a race (%s); deciding again", e.toString());
            }
        }
    }

    private void pauseBeforeProvisioning() {
        Duration delay = config.provisionDelay();
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        LOG.warnf("berth.volume.provision-delay: waiting %s between ATTACHING and ATTACHED (a test knob)", delay);
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
