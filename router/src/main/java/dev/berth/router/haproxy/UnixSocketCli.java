package dev.berth.router.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One command to one of haproxy's unix sockets (the worker's stats socket, the master's), one
 * connection each: non-interactive mode answers and closes, so the reply is everything up to the
 * close. The write side is shut after the command because the master's CLI waits for it before
 * answering. Every call has a deadline: a stuck haproxy must not stick the router.
 */
final class UnixSocketCli {
    private final Path socket;
    private final Duration timeout;

    UnixSocketCli(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    Path socket() {
        return socket;
    }

    String send(String command) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             Selector selector = Selector.open()) {
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.shutdownOutput();
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("no answer from " + socket + " within " + timeout.toMillis() + " ms to: " + command);
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                int read;
                while ((read = channel.read(buffer)) > 0) {
                    reply.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
                if (read < 0) {
                    return reply.toString(StandardCharsets.UTF_8);
                }
            }
        }
    }
}
