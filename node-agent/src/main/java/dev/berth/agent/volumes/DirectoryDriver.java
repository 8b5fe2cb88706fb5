package dev.berth.agent.volumes;

import dev.berth.agent.host.FileTrees;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A volume is a directory {@code <root>/<volume id>}. What differs between drivers is the root: a
 * local directory the agent may create, or a mount every node shares, which it must not.
 */
abstract sealed class DirectoryDriver implements VolumeDriver permits LocalDriver, SharedFsDriver {
    /**
     * Volume ids come from the cluster ({@code [a-z0-9._~-]}, see contracts' {@code Volumes}); anything
     * else, or a leading dot ({@code .}, {@code ..}, hidden files like {@code .berth-epoch}), is refused
     * before it becomes a path.
     */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,199}");

    private final Path root;

    DirectoryDriver(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** Makes sure the root exists (or refuses, when it is not the driver's to create). */
    abstract void ensureRoot() throws VolumeRefusedException;

    @Override
    public Path locate(String volumeId) throws VolumeRefusedException {
        if (volumeId == null || !SAFE_ID.matcher(volumeId).matches()) {
            throw VolumeRefusedException.failed("volume id '" + volumeId + "' is not a safe directory name");
        }
        Path dir = root.resolve(volumeId).normalize();
        if (!dir.getParent().equals(root)) {
            throw VolumeRefusedException.failed("volume id '" + volumeId + "' points outside " + root);
        }
        return dir;
    }

    @Override
    public Path create(String volumeId, long sizeMib) throws VolumeRefusedException {
        Path dir = locate(volumeId);
        ensureRoot();
        return createDirectory(volumeId, dir);
    }

    /** The volume as a plain directory: its size is not enforced. */
    final Path createDirectory(String volumeId, Path dir) throws VolumeRefusedException {
        refuseLink(volumeId, dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw VolumeRefusedException.failed("cannot create volume " + volumeId + " at " + dir + ": " + e, e);
        }
        return dir;
    }

    /** Someone made the volume a link: binding (or mounting on) it would hand the task whatever it points at. */
    static void refuseLink(String volumeId, Path dir) throws VolumeRefusedException {
        if (Files.isSymbolicLink(dir)) {
            throw VolumeRefusedException.failed("volume " + volumeId + " at " + dir + " is a symbolic link");
        }
    }

    @Override
    public Path publish(String volumeId, long sizeMib, Optional<Owner> owner) throws VolumeRefusedException {
        Path dir = create(volumeId, sizeMib);
        try {
            if (owner.isPresent()) {
                giveTo(dir, owner.get());
            }
        } catch (IOException e) {
            throw VolumeRefusedException.failed("cannot give volume " + volumeId + " to user '"
                    + owner.get().name() + "': " + e, e);
        }
        return dir;
    }

    /**
     * The task's user owns its volume, as it owns its sandbox. A volume its user already owns is left as it
     * is (its files may belong to others on purpose: a database's helper). One owned by someone else was
     * written by an earlier user of the same identity — root, before tasks stopped running as root, or
     * another app user — and is given to this one whole, so a database keeps writing its files after the
     * change; links are changed themselves, never what they point at.
     */
    static void giveTo(Path dir, Owner owner) throws IOException {
        Object uid = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (uid instanceof Integer current && current == owner.uid()) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                own(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                own(file);
                return FileVisitResult.CONTINUE;
            }

            private void own(Path path) throws IOException {
                Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        });
    }

    @Override
    public void delete(String volumeId) throws VolumeRefusedException {
        Path dir = locate(volumeId);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw VolumeRefusedException.failed("volume " + volumeId + " at " + dir + " is not a directory");
        }
        try {
            // A link inside the volume is removed, never what it points at.
            FileTrees.deleteTree(dir);
        } catch (IOException e) {
            throw VolumeRefusedException.failed("cannot delete volume " + volumeId + " at " + dir + ": " + e, e);
        }
    }
}
