package dev.berth.agent.logs;

import dev.berth.agent.sandbox.Sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads a task's output: its last lines across the rotated copies and the current file, as if they
 * were one file ({@code stdout.2}, {@code stdout.1}, {@code stdout}, oldest first), and, when
 * following, what the task appends after them.
 *
 * <p>The tail is found by reading backwards from the end in small blocks, counting newlines, so 100
 * lines of a 10 MiB file cost a few blocks, not the file. A line is what ends with a newline; the
 * last one may lack it (the task has not finished writing it), and a line may span a rotated copy
 * and the next file, since rotation cuts at a byte count, not at a line.
 */
public final class LogReader {
    /** How far back a tail is searched at a time. */
    static final int BLOCK = 8192;
    /** Rotated copies looked at, at most: far more than any agent keeps. */
    private static final int MAX_ROTATED = 100;

    private LogReader() {
    }

    /** The last {@code lines} lines of the stream (UTF-8), oldest first; empty if it has none yet. */
    public static String tail(Sandbox sandbox, LogStream stream, int lines) throws IOException {
        try (LogFeed feed = read(sandbox, stream, lines)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (!feed.finished()) {
                out.write(feed.next());
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** The last {@code lines} lines in chunks, then the end: for a large tail that is streamed, not held. */
    public static LogFeed read(Sandbox sandbox, LogStream stream, int lines) throws IOException {
        return open(sandbox, stream, lines, null);
    }

    /**
     * The last {@code lines} lines, then whatever the task appends, across rotations, until the task
     * has ended and everything it wrote has been read (or the caller stops asking).
     *
     * @param taskEnded true once the task's process has ended: no more output will come
     */
    public static LogFeed follow(Sandbox sandbox, LogStream stream, int lines, BooleanSupplier taskEnded)
            throws IOException {
        return open(sandbox, stream, lines, taskEnded);
    }

    private static LogFeed open(Sandbox sandbox, LogStream stream, int lines, BooleanSupplier taskEnded)
            throws IOException {
        if (lines < 0) {
            throw new IllegalArgumentException("lines must be >= 0, was " + lines);
        }
        Path current = stream.in(sandbox);
        Path newestCopy = LogStream.rotated(current, 1);
        // Before the tail is taken: a rotation from here on is one the feed must carry across.
        Object copyKey = LogFeed.fileKey(newestCopy);
        List<Path> newestFirst = new ArrayList<>();
        newestFirst.add(current);
        for (int n = 1; n <= MAX_ROTATED && Files.exists(LogStream.rotated(current, n)); n++) {
            newestFirst.add(LogStream.rotated(current, n));
        }
        long currentSize = size(current);
        List<LogSegment> tail = tail(newestFirst, currentSize, lines);
        return new LogFeed(tail, current, newestCopy, currentSize, copyKey, taskEnded);
    }

    /**
     * The ranges that hold the last {@code lines} lines of the files, taken as one (newest file
     * first, the current one's size fixed at {@code currentSize}), oldest range first.
     */
    static List<LogSegment> tail(List<Path> newestFirst, long currentSize, int lines) throws IOException {
        List<LogSegment> segments = new ArrayList<>();
        if (lines == 0) {
            return segments;
        }
        int newlines = 0;
        boolean atLastByte = true;
        try {
            for (int f = 0; f < newestFirst.size(); f++) {
                FileChannel channel;
                try {
                    channel = FileChannel.open(newestFirst.get(f), StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    continue;
                }
                long size = f == 0 ? Math.min(currentSize, channel.size()) : channel.size();
                long start = 0;
                boolean found = false;
                long blockStart = size;
                scan:
                while (blockStart > 0) {
                    int length = (int) Math.min(BLOCK, blockStart);
                    blockStart -= length;
                    byte[] bytes = LogSegment.readAt(channel, blockStart, length);
                    // A file that shrank meanwhile (rotated) gives fewer bytes: its lines are gone from it.
                    for (int i = bytes.length - 1; i >= 0; i--) {
                        byte b = bytes[i];
                        if (atLastByte) {
                            atLastByte = false;
                            if (b == '\n') {
                                continue; // it ends the last line rather than starting one after it
                            }
                        }
                        if (b == '\n' && ++newlines == lines) {
                            start = blockStart + i + 1;
                            found = true;
                            break scan;
                        }
                    }
                }
                if (start < size) {
                    segments.add(new LogSegment(channel, start, size));
                } else {
                    channel.close();
                }
                if (found) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment segment : segments) {
                segment.close();
            }
            throw e;
        }
        Collections.reverse(segments);
        return segments;
    }

    private static long size(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }
}
