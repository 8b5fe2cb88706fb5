package dev.berth.agent.logs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A task's output chunk by chunk: first the tail {@link LogReader} found, then, when following,
 * what the task appends. Pull-based: the caller asks for the next chunk when it can send one, and
 * waits a little itself when a chunk comes back empty. Not thread-safe; one reader at a time.
 *
 * <p>Carrying a follow across a rotation ({@link LogRotation}: copy to {@code stdout.1}, then
 * truncate): a new {@code stdout.1} (another file key than when last looked) means the file was
 * rotated, so what had not been read yet is the end of that copy, and reading goes on from the start
 * of the truncated file. Without copies ({@code rotations} 0) the file just shrinks below the read
 * position, and reading starts over from its beginning; what was appended between the last read and
 * the truncation is lost to the follower then.
 */
public final class LogFeed implements AutoCloseable {
    /** The most bytes one chunk carries. */
    static final int CHUNK = 64 * 1024;

    private final Deque<LogSegment> tail;
    private final Path current;
    private final Path newestCopy;
    private final BooleanSupplier taskEnded;
    private long position;
    private Object copyKey;
    /** A new copy seen while the current file was still as long as it: its truncation is under way. */
    private Object copyAwaitingTruncation;
    private LogSegment rest;
    private boolean finished;

    LogFeed(List<LogSegment> tail, Path current, Path newestCopy, long position, Object copyKey,
            BooleanSupplier taskEnded) {
        this.tail = new ArrayDeque<>(tail);
        this.current = current;
        this.newestCopy = newestCopy;
        this.position = position;
        this.copyKey = copyKey;
        this.taskEnded = taskEnded;
    }

    /**
     * The next chunk: the tail first, then what was appended since the last call. Empty when there
     * is nothing new yet (ask again a little later) or when {@link #finished()}.
     */
    public byte[] next() throws IOException {
        if (finished) {
            return LogSegment.EMPTY;
        }
        while (!tail.isEmpty()) {
            LogSegment segment = tail.peekFirst();
            byte[] bytes = segment.read(CHUNK);
            if (segment.done()) {
                tail.removeFirst().close();
            }
            if (bytes.length > 0) {
                return bytes;
            }
        }
        if (taskEnded == null) {
            finished = true;
            return LogSegment.EMPTY;
        }
        // Asked before reading: output written before the task ended is then surely read below.
        boolean ended = taskEnded.getAsBoolean();
        byte[] bytes = appended();
        if (bytes.length == 0 && ended && rest == null && copyAwaitingTruncation == null) {
            finished = true;
        }
        return bytes;
    }

    /** True once everything there is to read has been returned: the tail, or all output of an ended task. */
    public boolean finished() {
        return finished;
    }

    private byte[] appended() throws IOException {
        if (rest != null) {
            byte[] bytes = rest.read(CHUNK);
            if (bytes.length > 0) {
                return bytes;
            }
            closeRest();
        }
        Object key = fileKey(newestCopy);
        long size = size(current);
        if (key != null && !key.equals(copyKey)) {
            long copied = size(newestCopy);
            // The copy is renamed into place just before the truncation; seen in between, the current
            // file still holds everything, and reading it from 0 would repeat it. Wait one round.
            if (size >= copied && !key.equals(copyAwaitingTruncation)) {
                copyAwaitingTruncation = key;
                return LogSegment.EMPTY;
            }
            copyAwaitingTruncation = null;
            copyKey = key;
            if (copied > position) {
                rest = open(newestCopy, position, copied);
            }
            position = 0;
            if (rest != null) {
                return appended();
            }
        } else if (size < position) {
            position = 0; // truncated without a copy
        }
        return readCurrent();
    }

    private byte[] readCurrent() throws IOException {
        try (FileChannel channel = FileChannel.open(current, StandardOpenOption.READ)) {
            long available = channel.size() - position;
            if (available <= 0) {
                return LogSegment.EMPTY;
            }
            byte[] bytes = LogSegment.readAt(channel, position, (int) Math.min(CHUNK, available));
            position += bytes.length;
            return bytes;
        } catch (NoSuchFileException e) {
            return LogSegment.EMPTY; // not written yet
        }
    }

    private static LogSegment open(Path file, long from, long to) throws IOException {
        try {
            return new LogSegment(FileChannel.open(file, StandardOpenOption.READ), from, to);
        } catch (NoSuchFileException e) {
            return null; // rotated away again already: that part is lost to this follower
        }
    }

    @Override
    public void close() throws IOException {
        for (LogSegment segment : tail) {
            segment.close();
        }
        tail.clear();
        closeRest();
        finished = true;
    }

    private void closeRest() throws IOException {
        if (rest != null) {
            rest.close();
            rest = null;
        }
    }

    /** What identifies the file behind a path (device and inode on Linux); null if there is none. */
    static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static long size(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return "LogFeed[" + current + " at " + position + (taskEnded == null ? "" : ", following") + "]";
    }
}
