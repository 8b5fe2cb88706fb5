package dev.berth.agent.volumes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code local}: a volume per id under the agent's volume root ({@code BERTH_AGENT_VOLUME_ROOT}, by default
 * {@code <work dir>/volumes}), which lives and dies with this node. Tasks bind {@code <root>/<volume id>};
 * what that is depends on how the volume was made:
 * <ul>
 *   <li>an ext4 image ({@link LocalVolumeFormat#IMAGE}, {@link ImageVolumes}) loop-mounted there, which
 *       enforces the volume's size;</li>
 *   <li>a plain directory ({@link LocalVolumeFormat#DIRECTORY}), which does not.</li>
 * </ul>
 * The node's format decides only what <em>new</em> volumes become: a volume keeps the format it was made
 * with, so one made as a directory before images were turned on stays a directory.
 */
public final class LocalDriver extends DirectoryDriver {
    public static final String NAME = "local";

    private final LocalVolumeFormat format;
    private final Optional<ImageVolumes> images;
    private final String noImages;

    /** Directories only. */
    public LocalDriver(Path root) {
        this(root, LocalVolumeFormat.DIRECTORY, new ImageTools.Tools(Optional.empty(), "no image tools given"));
    }

    /**
     * @param format what new volumes become
     * @param tools  the host's image tools (also for the images of volumes made earlier, whatever the format)
     */
    public LocalDriver(Path root, LocalVolumeFormat format, ImageTools.Tools tools) {
        super(root);
        if (format == LocalVolumeFormat.IMAGE && tools.tools().isEmpty()) {
            throw new IllegalArgumentException("image volumes need the image tools: " + tools.missing());
        }
        this.format = format;
        this.images = tools.tools().map(t -> new ImageVolumes(root(), t));
        this.noImages = tools.missing();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** What new volumes become on this node. */
    public LocalVolumeFormat format() {
        return format;
    }

    @Override
    void ensureRoot() throws VolumeRefusedException {
        try {
            Files.createDirectories(root());
        } catch (IOException e) {
            throw VolumeRefusedException.failed("cannot create the volume root " + root() + ": " + e, e);
        }
    }

    @Override
    public Path create(String volumeId, long sizeMib) throws VolumeRefusedException {
        Path dir = locate(volumeId);
        ensureRoot();
        if (hasImage(volumeId)) {
            refuseLink(volumeId, dir);
            return onImages(volumeId, dir, "mount", images -> images.mount(volumeId, dir));
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) || format == LocalVolumeFormat.DIRECTORY) {
            return createDirectory(volumeId, dir);
        }
        refuseLink(volumeId, dir);
        return onImages(volumeId, dir, "create", images -> images.create(volumeId, dir, sizeMib));
    }

    /** An image volume is unmounted and its image removed first; then its (empty) directory goes. */
    @Override
    public void delete(String volumeId) throws VolumeRefusedException {
        Path dir = locate(volumeId);
        if (hasImage(volumeId) || isMountPoint(dir)) {
            onImages(volumeId, dir, "destroy", images -> images.destroy(volumeId, dir));
        }
        super.delete(volumeId);
    }

    private boolean hasImage(String volumeId) {
        return Files.exists(ImageVolumes.imageFile(root(), volumeId), LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isMountPoint(Path dir) throws VolumeRefusedException {
        try {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && MountTable.at(dir.toRealPath()).isPresent();
        } catch (IOException e) {
            throw VolumeRefusedException.failed("cannot read the host's mounts: " + e, e);
        }
    }

    private interface ImageStep {
        void run(ImageVolumes images) throws IOException;
    }

    private Path onImages(String volumeId, Path dir, String what, ImageStep step) throws VolumeRefusedException {
        if (images.isEmpty()) {
            throw VolumeRefusedException.failed("volume " + volumeId + " is a filesystem image, and this node "
                    + "cannot " + what + " images: " + noImages);
        }
        try {
            step.run(images.get());
            return dir;
        } catch (IOException e) {
            throw VolumeRefusedException.failed("cannot " + what + " the image of volume " + volumeId + ": "
                    + e.getMessage(), e);
        }
    }
}
