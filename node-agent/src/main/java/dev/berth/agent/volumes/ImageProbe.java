package dev.berth.agent.volumes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Tries, once at agent start, what a local image volume needs, where the volumes will live: making a
 * small image in the volume root, formatting it, loop-mounting it; then takes it all away again. Trying
 * finds what reading the host would miss (no free loop device, a kernel without ext4 or loop, a volume
 * root on a file system that cannot back a loop device, a container without the right).
 */
public final class ImageProbe {
    private ImageProbe() {
    }

    /**
     * @return empty when an image could be made and mounted under {@code volumeRoot}; else why not
     */
    public static Optional<String> tryIn(Path volumeRoot, ImageTools.Tools found) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("the agent does not run as root (mounting needs it)");
        }
        if (found.tools().isEmpty()) {
            return Optional.of(found.missing());
        }
        Path images = volumeRoot.toAbsolutePath().normalize().resolve(ImageVolumes.IMAGES);
        // Names no volume can have (ids never start with a dot), one per agent process.
        String name = ".probe-" + ProcessHandle.current().pid();
        LoopImage probe = new LoopImage(found.tools().get(), images.resolve(name + ".img"), images.resolve(name));
        try {
            probe.create(ImageVolumes.MIN_SIZE_MIB);
            probe.mount();
            if (!probe.mounted()) {
                return Optional.of("the probe image was mounted, yet " + probe.mountPoint() + " shows no mount");
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.getMessage());
        } finally {
            cleanUp(probe);
        }
    }

    private static void cleanUp(LoopImage probe) {
        try {
            probe.unmount();
        } catch (IOException | RuntimeException e) {
            // Nothing mounted, or it cannot be unmounted: detaching below still frees what can be freed.
        }
        try {
            probe.detach();
            probe.deleteFile();
            Files.deleteIfExists(probe.mountPoint());
        } catch (IOException | RuntimeException e) {
            // A probe's leftovers are small and hidden; the next probe uses another name.
        }
    }
}
