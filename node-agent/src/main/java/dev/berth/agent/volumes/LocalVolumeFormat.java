package dev.berth.agent.volumes;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a new local volume is made as: an ext4 image that enforces the volume's size, or a plain
 * directory that does not. Chosen once when the agent starts ({@code BERTH_AGENT_LOCAL_VOLUME_FORMAT}).
 * Volumes that exist keep the format they were made with.
 */
public enum LocalVolumeFormat {
    /** A loop-mounted ext4 image per volume: its size is enforced (a write past it fails with ENOSPC). */
    IMAGE,
    /** A directory per volume on the volume root's file system: its size is not enforced. */
    DIRECTORY;

    /** The format, and why (for the agent's start log). */
    public record Choice(LocalVolumeFormat format, String why) {
    }

    /**
     * @param setting {@code auto} (images where the probe succeeds, else directories), {@code image} (fail
     *                without them) or {@code directory}
     * @param probe   tries an image on this host: empty when it worked, else why it did not; run only when
     *                the setting needs it
     * @throws IllegalStateException  for {@code image} when the probe fails: the agent must not start
     * @throws IllegalArgumentException for an unknown setting
     */
    public static Choice choose(String setting, Supplier<Optional<String>> probe) {
        return switch (setting.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "directory" -> new Choice(DIRECTORY, "berth.agent.local-volume-format=directory");
            case "image" -> {
                Optional<String> failure = probe.get();
                if (failure.isPresent()) {
                    throw new IllegalStateException("berth.agent.local-volume-format=image, but this host cannot "
                            + "loop-mount a filesystem image: " + failure.get());
                }
                yield new Choice(IMAGE, "berth.agent.local-volume-format=image");
            }
            case "auto" -> probe.get()
                    .map(failure -> new Choice(DIRECTORY, "images do not work here: " + failure))
                    .orElseGet(() -> new Choice(IMAGE, "a probe image was made and loop-mounted"));
            default -> throw new IllegalArgumentException("berth.agent.local-volume-format must be auto, image or "
                    + "directory, was " + setting);
        };
    }
}
