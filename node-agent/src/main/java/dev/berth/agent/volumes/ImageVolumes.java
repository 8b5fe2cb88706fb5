package dev.berth.agent.volumes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Local volumes kept as loop-mounted ext4 images: {@code <volume root>/.images/<volume id>.img}, mounted
 * on {@code <volume root>/<volume id>}. The images live in a hidden directory because no volume id starts
 * with a dot: {@code <id>.img} beside the volumes could be the directory of a volume called
 * {@code <id>.img}.
 *
 * <p>One lock for all of them: creating or mounting a volume takes milliseconds, and two tasks of one
 * node publishing the same volume at once must not both format it.
 */
final class ImageVolumes {
    /**
     * The smallest image made. ext4 formats smaller ones, but with 1 KiB blocks its metadata and a 1 MiB
     * journal would take most of them; a volume asked smaller gets this size.
     */
    static final long MIN_SIZE_MIB = 8;
    static final String IMAGES = ".images";

    private final ImageTools tools;
    private final Path imagesDir;

    ImageVolumes(Path volumeRoot, ImageTools tools) {
        this.tools = tools;
        this.imagesDir = volumeRoot.resolve(IMAGES);
    }

    /** Where a volume's image is (or would be). */
    static Path imageFile(Path volumeRoot, String volumeId) {
        return volumeRoot.resolve(IMAGES).resolve(volumeId + ".img");
    }

    LoopImage image(String volumeId, Path mountPoint) {
        return new LoopImage(tools, imagesDir.resolve(volumeId + ".img"), mountPoint);
    }

    /**
     * A new volume: its image made at {@code max(sizeMib, 8)} MiB and mounted. Its {@code lost+found} is
     * removed so that a new volume is empty, as a directory volume is (database tools refuse to initialise
     * a directory with anything in it); e2fsck makes it again if it ever needs one.
     */
    synchronized void create(String volumeId, Path mountPoint, long sizeMib) throws IOException {
        LoopImage image = image(volumeId, mountPoint);
        if (!image.exists()) {
            image.create(Math.max(sizeMib, MIN_SIZE_MIB));
            image.mount();
            Files.deleteIfExists(mountPoint.resolve("lost+found"));
        } else {
            mount(volumeId, mountPoint);
        }
    }

    /**
     * An existing volume: mounted unless it is already (by this agent, or by the one before it; an image
     * is mounted again here after the host restarted).
     */
    synchronized void mount(String volumeId, Path mountPoint) throws IOException {
        LoopImage image = image(volumeId, mountPoint);
        if (!image.mounted()) {
            image.mount();
        }
    }

    /** Unmounted, its loop device freed, its image removed; the mount point is left for the caller. */
    synchronized void destroy(String volumeId, Path mountPoint) throws IOException {
        LoopImage image = image(volumeId, mountPoint);
        image.unmount();
        image.detach();
        image.deleteFile();
    }
}
