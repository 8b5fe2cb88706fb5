package dev.berth.agent.logs;

import dev.berth.agent.sandbox.Sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a task's {@code stdout} and {@code stderr} from filling the node's disk: once one grows past
 * {@code maxBytes}, its older copies shift ({@code stdout.1} → {@code stdout.2} …, the oldest beyond
 * {@code rotations} dropped), the file is copied to {@code stdout.1}, and then truncated to 0.
 *
 * <p>Copy-then-truncate ("copytruncate", as logrotate calls it), because the task holds the file
 * open and cannot be told to reopen it. It opened it with O_APPEND, so after the truncation its next
 * write lands at the new end, offset 0, and the file does not become sparse. The known price: bytes
 * the task writes between the end of the copy and the truncation are in neither file. That window is
 * the copy of at most {@code maxBytes} plus one system call, and it only opens once per
 * {@code maxBytes} of output.
 *
 * <p>The copy is written under a temporary name and renamed into place, so {@code stdout.1} is
 * always whole for a reader; it is in place before the truncation, which is what a
 * {@link LogFeed} relies on to carry a follow across a rotation.
 */
public final class LogRotation {
    private final long maxBytes;
    private final int rotations;

    /**
     * @param maxBytes  a stream is rotated once its file is larger than this
     * @param rotations how many rotated copies to keep per stream; 0 just truncates
     */
    public LogRotation(long maxBytes, int rotations) {
        if (maxBytes <= 0 || rotations < 0) {
            throw new IllegalArgumentException("maxBytes must be > 0 and rotations >= 0, were " + maxBytes
                    + " and " + rotations);
        }
        this.maxBytes = maxBytes;
        this.rotations = rotations;
    }

    /**
     * Rotates those of the sandbox's streams that have grown past the limit; meant to be called
     * periodically for each live task. A stream not written yet is no error.
     *
     * @return the streams rotated (usually none)
     */
    public List<LogStream> rotateIfNeeded(Sandbox sandbox) throws IOException {
        List<LogStream> rotated = new ArrayList<>();
        for (LogStream stream : LogStream.values()) {
            Path log = stream.in(sandbox);
            if (size(log) > maxBytes) {
                rotate(log);
                rotated.add(stream);
            }
        }
        return rotated;
    }

    private void rotate(Path log) throws IOException {
        if (rotations > 0) {
            for (int n = rotations - 1; n >= 1; n--) {
                Path older = LogStream.rotated(log, n);
                if (Files.exists(older)) {
                    Files.move(older, LogStream.rotated(log, n + 1), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Path copy = log.resolveSibling(log.getFileName() + ".1.tmp");
            Files.copy(log, copy, StandardCopyOption.REPLACE_EXISTING);
            Files.move(copy, LogStream.rotated(log, 1), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        // Lost bytes: whatever the task writes between the end of the copy and this truncation.
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        dropBeyondLimit(log);
    }

    /** Copies numbered beyond {@code rotations}: left by an agent that kept more before. */
    private void dropBeyondLimit(Path log) throws IOException {
        String prefix = log.getFileName() + ".";
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(log.getParent(), prefix + "*")) {
            for (Path sibling : siblings) {
                String suffix = sibling.getFileName().toString().substring(prefix.length());
                if (suffix.matches("\\d{1,9}") && Integer.parseInt(suffix) > rotations) {
                    Files.deleteIfExists(sibling);
                }
            }
        }
    }

    private static long size(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }
}
