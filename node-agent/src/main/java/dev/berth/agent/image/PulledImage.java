package dev.berth.agent.image;

import java.nio.file.Path;
import java.util.List;

/**
 * An image ready to be a task's root: its unpacked layers, to be stacked by overlayfs, and how it means
 * to be run.
 *
 * @param reference      what was asked for
 * @param manifestDigest the image's identity ({@code sha256:<hex>} of its manifest): what a task records
 *                       and what {@link ImageStore#evictUnused} is told is in use
 * @param config         entrypoint, command, environment ...
 * @param layers         unpacked layer directories, bottom first (overlayfs's {@code lowerdir} lists them
 *                       the other way round: top first); a layer the manifest lists twice appears once, at
 *                       its topmost place (overlayfs refuses one directory twice, and the top copy covers all)
 * @param sizeBytes      what the image's layers and config take on disk
 */
public record PulledImage(ImageReference reference, String manifestDigest, ImageConfig config, List<Path> layers,
                          long sizeBytes) {
    public PulledImage {
        layers = List.copyOf(layers);
    }
}
