package dev.berth.volume.driver;

import dev.berth.contracts.messages.VolumeSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** The driver of each provider. A provider without one here is served entirely by the agents. */
@ApplicationScoped
public class VolumeDrivers {
    private static final Logger LOG = Logger.getLogger(VolumeDrivers.class);

    private final Map<String, VolumeDriver> byProvider = new HashMap<>();

    @Inject
    VolumeDrivers(Instance<VolumeDriver> drivers) {
        drivers.forEach(driver -> byProvider.put(driver.provider(), driver));
    }

    public void provision(VolumeSnapshot volume) throws IOException {
        VolumeDriver driver = byProvider.get(volume.provider());
        if (driver == null) {
            LOG.warnf("no volume-service driver for provider %s of volume %s: left to the agents",
                    volume.provider(), volume.volumeId());
            return;
        }
        driver.provision(volume);
    }

    public void destroy(VolumeSnapshot volume) throws IOException {
        VolumeDriver driver = byProvider.get(volume.provider());
        if (driver != null) {
            driver.destroy(volume);
        }
    }
}
