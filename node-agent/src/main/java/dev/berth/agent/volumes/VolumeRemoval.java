package dev.berth.agent.volumes;

import dev.berth.contracts.messages.DestroyVolume;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Carries out {@code DestroyVolume}: a deleted local volume's directory goes from this node. Only
 * under the local volume root (the driver refuses ids that point elsewhere), and never while a task
 * of this node still has the volume (it is logged and skipped: the scheduler sends it once the
 * volume service deleted the volume, so a task holding it is a fault to look at, not to paper over).
 * Repeating it changes nothing: a volume that is gone is deleted.
 */
public final class VolumeRemoval {
    private static final Logger LOG = Logger.getLogger(VolumeRemoval.class);

    private final Optional<VolumeDriver> local;
    private final Supplier<Set<String>> inUse;
    private final Executor executor;

    /**
     * @param inUse    the ids of the volumes the node's running tasks hold
     * @param executor where the deletion runs (a large volume takes a while: never on the command reader)
     */
    public VolumeRemoval(TaskVolumes volumes, Supplier<Set<String>> inUse, Executor executor) {
        this.local = volumes.driver(LocalDriver.NAME);
        this.inUse = inUse;
        this.executor = executor;
    }

    /** How a removal ended. */
    public enum Outcome { DESTROYED, IN_USE, REFUSED }

    public void handle(DestroyVolume command) {
        executor.execute(() -> destroy(command.volumeId()));
    }

    public Outcome destroy(String volumeId) {
        if (local.isEmpty()) {
            LOG.warnf("cannot destroy volume %s: this node has no local volumes", volumeId);
            return Outcome.REFUSED;
        }
        if (inUse.get().contains(volumeId)) {
            LOG.warnf("not destroying volume %s: a running task of this node still has it", volumeId);
            return Outcome.IN_USE;
        }
        try {
            local.get().delete(volumeId);
            LOG.infof("destroyed local volume %s", volumeId);
            return Outcome.DESTROYED;
        } catch (VolumeRefusedException e) {
            LOG.warnf("not destroying volume %s: %s", volumeId, e.getMessage());
            return Outcome.REFUSED;
        }
    }
}
