package dev.berth.agent.volumes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The host's tools for filesystem images: one to make an ext4 file system ({@code mkfs.ext4}, or
 * {@code mke2fs -t ext4}), {@code mount} and {@code umount} (which attach and free the loop device
 * themselves: {@code -o loop} sets it to clear itself when unmounted), and {@code losetup}, to find
 * and free a loop device an image is still attached to.
 *
 * @param mkfs the command that makes an ext4 file system, without its options
 */
public record ImageTools(List<String> mkfs, Path mount, Path umount, Path losetup) {
    private static final List<String> BIN = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    public ImageTools {
        mkfs = List.copyOf(mkfs);
    }

    /** The tools on this host, or why not (the first one missing). */
    public static Tools find() {
        Optional<List<String>> mkfs = tool("mkfs.ext4").map(p -> List.of(p.toString()))
                .or(() -> tool("mke2fs").map(p -> List.of(p.toString(), "-t", "ext4")));
        if (mkfs.isEmpty()) {
            return new Tools(Optional.empty(), "neither mkfs.ext4 nor mke2fs is installed");
        }
        for (String name : List.of("mount", "umount", "losetup")) {
            if (tool(name).isEmpty()) {
                return new Tools(Optional.empty(), name + " is not installed");
            }
        }
        return new Tools(Optional.of(new ImageTools(mkfs.get(), tool("mount").get(), tool("umount").get(),
                tool("losetup").get())), "");
    }

    /** The tools, or the reason there are none. */
    public record Tools(Optional<ImageTools> tools, String missing) {
    }

    /**
     * {@code mkfs.ext4 -q -F -m 0 <image>}. {@code -m 0}: no blocks kept for root, since the volume is one
     * task's and the size asked is the size it gets. The journal is kept: these volumes hold databases,
     * and without one a host that crashes leaves a file system that needs a full check before it can be
     * trusted again; it costs about 1 MiB of a small volume and a few milliseconds at creation.
     */
    List<String> mkfsCommand(Path image) {
        List<String> argv = new ArrayList<>(mkfs);
        argv.addAll(List.of("-q", "-F", "-m", "0", image.toString()));
        return argv;
    }

    private static Optional<Path> tool(String name) {
        return BIN.stream().map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }
}
