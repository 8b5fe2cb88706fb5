package dev.berth.volume.support;

import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.VolumeType;

import java.util.Map;

/** Commands as the scheduler writes them, for one app and identity. */
public final class Commands {
    private Commands() {
    }

    public static AttachVolume external(String volumeId, String app, String node, String task) {
        return AttachVolume.of(volumeId, "pgdata-0", app, "db-0", VolumeType.EXTERNAL, "sharedfs", 64, Map.of(),
                node, task, null);
    }

    public static AttachVolume local(String volumeId, String app, String node, String task) {
        return AttachVolume.of(volumeId, "data", app, "db-0", VolumeType.LOCAL, "local", 64, Map.of(), node, task,
                null);
    }
}
