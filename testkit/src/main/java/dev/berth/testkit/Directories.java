package dev.berth.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** File-tree helpers for data dirs the testkit owns. */
public final class Directories {
    private Directories() {
    }

    /** Removes a tree, ignoring what cannot be removed: it is scratch space, never user data. */
    public static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // scratch space: leftovers are harmless and live under target/ or the temp dir
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }

    /** A fresh directory under {@code target/} of the module being tested. */
    public static Path scratch(String prefix) {
        try {
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            return Files.createTempDirectory(target, prefix);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
