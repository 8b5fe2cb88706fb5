package dev.berth.agent.task;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** How much disk a sandbox takes: the sizes of its files, as {@code du --apparent-size} counts them. */
final class SandboxUsage {
    private SandboxUsage() {
    }

    static long bytes(Path sandbox) {
        long[] total = {0};
        try {
            Files.walkFileTree(sandbox, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    total[0] += attributes.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed while walking, or unreadable: skip it
                }
            });
        } catch (IOException e) {
            return total[0];
        }
        return total[0];
    }
}
