package dev.berth.agent.volumes;

import dev.berth.agent.host.HostCommand;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One ext4 file system in a sparse image file, loop-mounted on a directory of the host. The kernel
 * enforces its size: a write past it fails with ENOSPC, for the task that writes and for no one else.
 * Mounted on the host (not in a task's namespace) so it outlives tasks and agent restarts; the mount is
 * what tasks bind, exactly as they bind a plain directory.
 */
final class LoopImage {
    private static final String TEMPORARY_SUFFIX = ".tmp";

    private final ImageTools tools;
    private final Path file;
    private final Path mountPoint;

    LoopImage(ImageTools tools, Path file, Path mountPoint) {
        this.tools = tools;
        this.file = file.toAbsolutePath().normalize();
        this.mountPoint = mountPoint.toAbsolutePath().normalize();
    }

    Path file() {
        return file;
    }

    Path mountPoint() {
        return mountPoint;
    }

    boolean exists() {
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Makes the image: sparse (it takes disk space only as the task writes), formatted, then renamed into
     * place. An image under its final name is therefore always a whole file system; one left half-made
     * by a crash keeps the temporary name and is made again.
     */
    void create(long sizeMib) throws IOException {
        Files.createDirectories(file.getParent());
        // The images hold every volume's data whatever its files' modes: only the agent may read them.
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwx------"));
        Path temporary = file.resolveSibling(file.getFileName() + TEMPORARY_SUFFIX);
        Files.deleteIfExists(temporary);
        try (RandomAccessFile image = new RandomAccessFile(temporary.toFile(), "rw")) {
            image.setLength(sizeMib << 20);
        }
        try {
            new HostCommand(tools.mkfsCommand(temporary), null, HostCommand.DEFAULT_TIMEOUT).runOrFail();
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * True when this image is mounted on the mount point; false when nothing is. Something else mounted
     * there (another image, a share) is a fault: binding it would hand the task someone else's data.
     */
    boolean mounted() throws IOException {
        Optional<MountTable.Mount> mount = MountTable.at(realMountPoint());
        if (mount.isEmpty()) {
            return false;
        }
        if (!backedByThisImage(mount.get())) {
            throw new IOException(mount.get().source() + " (" + mount.get().fsType() + ") is mounted on "
                    + mountPoint + ", not the volume's image " + file);
        }
        return true;
    }

    /**
     * Mounts the image on its mount point (made if missing). A mount point with files in it is refused:
     * the mount would hide them, and they can only be data written while the image was not mounted.
     */
    void mount() throws IOException {
        Files.createDirectories(mountPoint);
        try (var entries = Files.list(mountPoint)) {
            if (entries.findAny().isPresent()) {
                throw new IOException(mountPoint + " is not empty; mounting the image " + file
                        + " over it would hide what is there");
            }
        }
        HostCommand.of(tools.mount().toString(), "-t", "ext4", "-o", "loop", file.toString(),
                mountPoint.toString()).runOrFail();
    }

    /** Unmounts it from the host, if it is mounted. */
    void unmount() throws IOException {
        if (Files.isDirectory(mountPoint, LinkOption.NOFOLLOW_LINKS) && mounted()) {
            HostCommand.of(tools.umount().toString(), mountPoint.toString()).runOrFail();
        }
    }

    /**
     * Frees every loop device still attached to the image. {@code umount} frees the one {@code mount -o loop}
     * made (it clears itself); this catches one attached by hand or left by a crash between the two.
     * {@code losetup -d} of a device still in use (a task's mount namespace may hold a copy of the mount)
     * marks it to clear itself once the last user is gone.
     */
    void detach() throws IOException {
        if (!exists()) {
            return;
        }
        for (String device : loopDevices()) {
            HostCommand.of(tools.losetup().toString(), "-d", device).runOrFail();
        }
    }

    /** {@code losetup -j <image>}: {@code /dev/loop0: [65024]:2746761 (/path/x.img)}, one line per device. */
    List<String> loopDevices() throws IOException {
        String output = HostCommand.of(tools.losetup().toString(), "-j", file.toString()).runOrFail();
        List<String> devices = new ArrayList<>();
        for (String line : output.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("/dev/")) {
                devices.add(line.substring(0, colon));
            }
        }
        return devices;
    }

    void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + TEMPORARY_SUFFIX));
    }

    /** mountinfo names mount points by their real path. */
    private Path realMountPoint() throws IOException {
        return Files.exists(mountPoint) ? mountPoint.toRealPath() : mountPoint;
    }

    /**
     * The kernel names a loop device's file in {@code /sys/block/loopN/loop/backing_file}. Where sysfs does
     * not say, an ext4 file system on a loop device is taken to be the image.
     */
    private boolean backedByThisImage(MountTable.Mount mount) throws IOException {
        if (!mount.source().startsWith("/dev/loop") || !mount.fsType().equals("ext4")) {
            return false;
        }
        Path backing = Path.of("/sys/block", Path.of(mount.source()).getFileName().toString(), "loop",
                "backing_file");
        if (!Files.isReadable(backing)) {
            return true;
        }
        String backingFile = Files.readString(backing, StandardCharsets.UTF_8).trim();
        return exists() && Path.of(backingFile).equals(file.toRealPath());
    }
}
