package dev.berth.volume.lifecycle;

import dev.berth.volume.volume.Volume;
import dev.berth.volume.volume.VolumeService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Finishes at start-up what a crash cut short: a grant committed (ATTACHING) whose provisioning and
 * ATTACHED never happened, and the data of a DELETED volume that was not yet destroyed. Both are
 * idempotent, so running it on a clean store does nothing.
 */
@ApplicationScoped
public class AttachRecovery {
    private static final Logger LOG = Logger.getLogger(AttachRecovery.class);

    @Inject
    VolumeService volumes;
    @Inject
    VolumeCommands commands;

    /** Blocking. Returns how many attachments it finished. */
    public int run() {
        List<Volume> attaching = OnVertx.await(() -> volumes.inState(Volume.State.ATTACHING));
        for (Volume volume : attaching) {
            LOG.infof("finishing the attachment of volume %s to node %s (epoch %d) left by a crash", volume.id,
                    volume.attachedNodeId, volume.fencingEpoch);
            commands.finishAttachment(volume.snapshot(), null);
        }
        for (Volume deleted : OnVertx.await(() -> volumes.inState(Volume.State.DELETED))) {
            commands.destroy(deleted.snapshot());
        }
        return attaching.size();
    }
}
