package dev.berth.agent.logs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * A byte range of one log file, read in chunks. It holds the file open, so a rotation that renames
 * the file meanwhile ({@code stdout.1} → {@code stdout.2}) does not change what it reads.
 */
final class LogSegment implements Closeable {
    static final byte[] EMPTY = new byte[0];

    private final FileChannel channel;
    private long position;
    private long end;

    LogSegment(FileChannel channel, long from, long to) {
        this.channel = channel;
        this.position = from;
        this.end = to;
    }

    /** The next bytes of the range, at most {@code max}; empty once it is all read. */
    byte[] read(int max) throws IOException {
        int wanted = (int) Math.min(max, end - position);
        if (wanted <= 0) {
            return EMPTY;
        }
        byte[] bytes = readAt(channel, position, wanted);
        if (bytes.length < wanted) {
            end = position + bytes.length; // the file shrank under us: what is gone is gone
        }
        position += bytes.length;
        return bytes;
    }

    boolean done() {
        return position >= end;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Up to {@code max} bytes from {@code position}, fewer only at the end of the file. */
    static byte[] readAt(FileChannel channel, long position, int max) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(max);
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                break;
            }
        }
        return buffer.position() == max ? buffer.array() : Arrays.copyOf(buffer.array(), buffer.position());
    }
}
