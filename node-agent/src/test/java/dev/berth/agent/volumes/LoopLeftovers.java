package dev.berth.agent.volumes;

import dev.berth.agent.host.HostCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What tests with image volumes may leave on the host, and its removal: mounts under a test's directory
 * and loop devices whose file lies under it. Called from {@code @AfterEach}, so a failing test leaves
 * nothing attached either.
 */
public final class LoopLeftovers {
    private LoopLeftovers() {
    }

    /** Mount points under {@code dir}, deepest first. */
    public static List<Path> mountsUnder(Path dir) throws IOException {
        Path real = real(dir);
        return MountTable.read().stream().map(MountTable.Mount::mountPoint).filter(p -> p.startsWith(real))
                .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
    }

    /** Loop devices ({@code /dev/loopN}) whose backing file lies under {@code dir}, read from sysfs. */
    public static List<String> loopDevicesUnder(Path dir) throws IOException {
        Path real = real(dir);
        List<String> devices = new ArrayList<>();
        try (var blocks = Files.list(Path.of("/sys/block"))) {
            for (Path block : blocks.filter(b -> b.getFileName().toString().startsWith("loop")).toList()) {
                Path backing = block.resolve("loop/backing_file");
                if (Files.isReadable(backing)) {
                    String file = Files.readString(backing, StandardCharsets.UTF_8).trim()
                            .replaceFirst(" \\(deleted\\)$", "");
                    if (Path.of(file).startsWith(real)) {
                        devices.add("/dev/" + block.getFileName());
                    }
                }
            }
        }
        return devices;
    }

    /** Unmounts everything under {@code dir} (lazily if it must) and frees its loop devices; says what it did. */
    public static void removeUnder(Path dir) {
        try {
            for (Path mount : mountsUnder(dir)) {
                if (!new HostCommand(List.of("umount", mount.toString()), null, HostCommand.DEFAULT_TIMEOUT).run().ok()) {
                    HostCommand.of("umount", "-l", mount.toString()).run();
                }
                System.out.println("LoopLeftovers: unmounted " + mount);
            }
            for (String device : loopDevicesUnder(dir)) {
                HostCommand.of("losetup", "-d", device).run();
                System.out.println("LoopLeftovers: detached " + device);
            }
        } catch (IOException e) {
            System.out.println("LoopLeftovers: could not clean " + dir + ": " + e);
        }
    }

    private static Path real(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        return Files.exists(absolute) ? absolute.toRealPath() : absolute;
    }
}
