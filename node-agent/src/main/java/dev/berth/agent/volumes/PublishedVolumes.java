package dev.berth.agent.volumes;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A task's volumes, ready on the host: what its init binds into its mount namespace, and what its
 * watchdog guards.
 *
 * @param binds     in mount order (a parent before what is mounted inside it)
 * @param guards    the external volumes' epoch files with the task's epoch for each; empty: no watchdog
 * @param leaseFile the node's lease, which the watchdog enforces (present exactly when there are guards)
 */
public record PublishedVolumes(List<BindMount> binds, List<EpochGuard> guards, Optional<Path> leaseFile) {
    public static final PublishedVolumes NONE = new PublishedVolumes(List.of(), List.of(), Optional.empty());

    public PublishedVolumes {
        binds = List.copyOf(binds);
        guards = List.copyOf(guards);
    }

    /** Only tasks that hold an external volume get a watchdog: nothing else can be written twice. */
    public boolean needsWatchdog() {
        return !guards.isEmpty();
    }

    /** Binds {@code source} (a volume's directory on the host) at {@code target} in the task's mount namespace. */
    public record BindMount(String volumeId, Path source, Path target, boolean readOnly) {
    }

    /** The task may run while {@code epochFile} holds at most {@code epoch}. */
    public record EpochGuard(String volumeId, Path epochFile, long epoch) {
    }
}
