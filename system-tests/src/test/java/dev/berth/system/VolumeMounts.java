package dev.berth.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The image volumes an agent left mounted on the host, seen as an operator sees them in
 * {@code /proc/self/mountinfo}. Local volumes outlive their tasks and agents by design (that is
 * their point), so a test's node must have its own unmounted when the test is over, or every run
 * would leave loop devices and mounts behind under {@code target/}.
 */
final class VolumeMounts {
    private VolumeMounts() {
    }

    /** Mount points at or under {@code dir}, deepest first. */
    static List<Path> under(Path dir) {
        List<Path> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4) {
                    Path point = Path.of(unescape(fields[4]));
                    if (point.startsWith(dir)) {
                        mounts.add(point);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        mounts.sort((a, b) -> b.getNameCount() - a.getNameCount());
        return mounts;
    }

    /**
     * Unmounts everything under {@code dir}; a loop device set up by {@code mount -o loop} goes with
     * its mount. Best effort: what will not unmount stays, and says so on stdout.
     */
    static void unmountAll(Path dir) {
        for (Path point : under(dir)) {
            try {
                Process umount = new ProcessBuilder("umount", point.toString()).redirectErrorStream(true).start();
                String out = new String(umount.getInputStream().readAllBytes());
                if (!umount.waitFor(10, TimeUnit.SECONDS) || umount.exitValue() != 0) {
                    System.out.println("could not unmount " + point + ": " + out.trim());
                }
            } catch (IOException e) {
                System.out.println("could not unmount " + point + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
