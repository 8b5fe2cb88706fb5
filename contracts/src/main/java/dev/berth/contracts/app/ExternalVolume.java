package dev.berth.contracts.app;

import java.util.Map;

/**
 * Marathon's {@code external} block: storage every node can reach, so the volume follows its task.
 * Each identity gets its own volume, {@code name-0}, {@code name-1}, …
 *
 * @param name     the base name; the volume of identity {@code i} is {@code name-i}
 * @param size     MiB
 * @param provider the Berth volume driver: {@code sharedfs} (a directory per volume on a mount
 *                 every node shares, NFS in production)
 * @param options  driver options, passed through
 */
public record ExternalVolume(String name, long size, String provider, Map<String, String> options) {
    public static final String SHAREDFS = "sharedfs";

    public ExternalVolume {
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
