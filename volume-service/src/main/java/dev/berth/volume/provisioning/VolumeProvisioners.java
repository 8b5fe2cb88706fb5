package dev.berth.volume.provisioning;

import dev.berth.contracts.messages.VolumeSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** The provisioner of each provider (the controller half of its driver). A provider without one here is served entirely by the agents. */
@ApplicationScoped
public class VolumeProvisioners {
    private static final Logger LOG = Logger.getLogger(VolumeProvisioners.class);

    private final Map<String, VolumeProvisioner> byProvider = new HashMap<>();

    @Inject
    VolumeProvisioners(Instance<VolumeProvisioner> drivers) {
        drivers.forEach(driver -> byProvider.put(driver.provider(), driver));
    }

    public void provision(VolumeSnapshot volume) throws IOException {
        VolumeProvisioner driver = byProvider.get(volume.provider());
        if (driver == null) {
            LOG.warnf("no volume-service driver for provider %s of volume %s: left to the agents",
                    volume.provider(), volume.volumeId());
            return;
        }
        driver.provision(volume);
    }

    public void destroy(VolumeSnapshot volume) throws IOException {
        VolumeProvisioner driver = byProvider.get(volume.provider());
        if (driver != null) {
            driver.destroy(volume);
        }
    }
}
