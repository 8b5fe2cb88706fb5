package dev.berth.volume.provisioning;

import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.VolumeSnapshot;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Local volumes live on their node, under the agent's volume root: the agent creates the directory
 * when it mounts it and destroys it on the scheduler's {@code DestroyVolume}. Nothing to do here.
 */
@ApplicationScoped
public class LocalProvisioner implements VolumeProvisioner {
    @Override
    public String provider() {
        return Volumes.LOCAL_PROVIDER;
    }

    @Override
    public void provision(VolumeSnapshot volume) {
        // the agent makes local directories
    }

    @Override
    public void destroy(VolumeSnapshot volume) {
        // the agent destroys local data, on DestroyVolume
    }
}
