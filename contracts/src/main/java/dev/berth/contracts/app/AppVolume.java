package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of Marathon's {@code container.volumes}: exactly one of {@code persistent} (local) and
 * {@code external} is set.
 *
 * @param containerPath relative to the task's sandbox, or absolute inside its mount namespace;
 *                      never escaping with {@code ..}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppVolume(String containerPath, VolumeMode mode, PersistentVolume persistent,
                        ExternalVolume external) {

    public AppVolume {
        mode = mode == null ? VolumeMode.RW : mode;
    }

    @JsonIgnore
    public boolean isExternal() {
        return external != null;
    }

    /** MiB the volume is created with. */
    @JsonIgnore
    public long sizeMib() {
        return isExternal() ? external.size() : persistent.size();
    }

    /** The Berth driver that serves the volume: {@code local}, or the external provider. */
    @JsonIgnore
    public String provider() {
        return isExternal() ? external.provider() : Volumes.LOCAL_PROVIDER;
    }
}
