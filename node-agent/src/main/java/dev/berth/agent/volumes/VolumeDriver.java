package dev.berth.agent.volumes;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A volume driver on this node, after CSI's node and controller calls, cut to what a volume that tasks see
 * as a directory means here:
 * <ul>
 *   <li>{@link #create} (CSI CreateVolume): the volume's storage exists afterwards; repeated, nothing changes;</li>
 *   <li>{@link #publish} (CSI NodePublishVolume, the part outside the task): the storage made ready for one
 *       task, owned by its user, and where it is on this host. The bind mount itself happens inside the task's
 *       own mount namespace ({@code runtime/LaunchCommand}), so it goes away with the task: there is nothing to
 *       unpublish on the host, and no mount a dead agent could leave behind;</li>
 *   <li>{@link #delete} (CSI DeleteVolume): the data is gone.</li>
 * </ul>
 * Implementations must refuse volume ids that could name anything but their own volume's storage.
 */
public interface VolumeDriver {

    /** The provider name the cluster knows the driver by ({@code local}, {@code sharedfs}). */
    String name();

    /** Where the volume's data lives on this host (whether it exists yet or not). */
    Path locate(String volumeId) throws VolumeRefusedException;

    /**
     * Makes sure the volume's storage exists (and, for storage that must be mounted, is mounted); returns
     * where it is.
     *
     * @param sizeMib the size asked for; a driver that cannot enforce sizes ignores it
     */
    Path create(String volumeId, long sizeMib) throws VolumeRefusedException;

    /**
     * Readies the volume for a task: created on first use, and writable by the task's user.
     *
     * @param sizeMib the size asked for (used when the volume is created)
     * @param owner   the task's user (uid, gid), or empty when the task runs as the agent's user
     * @return the directory to bind into the task
     */
    Path publish(String volumeId, long sizeMib, Optional<Owner> owner) throws VolumeRefusedException;

    /** Removes the volume and its data; a volume that does not exist is already deleted. */
    void delete(String volumeId) throws VolumeRefusedException;

    /** The user a task runs as, to hand its volumes to. */
    record Owner(String name, int uid, int gid) {
    }
}
