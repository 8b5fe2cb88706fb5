package dev.berth.volume.provisioning;

import dev.berth.contracts.messages.VolumeSnapshot;

import java.io.IOException;

/**
 * The volume service's half of a storage driver (after CSI's controller create / delete): it makes
 * the storage of a volume exist before its first mount and destroys it on delete. Mounting is the
 * node agent's half. Both calls are idempotent: a crash may repeat them.
 */
public interface VolumeProvisioner {
    /** The provider name volumes carry ({@code local}, {@code sharedfs}). */
    String provider();

    /** Makes the volume's storage exist; called after a grant (ATTACHING) committed. */
    void provision(VolumeSnapshot volume) throws IOException;

    /** Destroys the volume's data; called only once the volume is DELETED and committed. */
    void destroy(VolumeSnapshot volume) throws IOException;
}
