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
import java.util.ArrayList;
import java.util.List;

/**
 * Commands to one of haproxy's unix sockets (the worker's stats socket, the master's). Every call has
 * a deadline: a stuck haproxy must not stick the router.
 *
 * <p>{@link #send} is one command on its own connection, in non-interactive mode: haproxy answers and
 * closes, so the reply is everything up to the close. {@link #sendAll} is many commands on one
 * connection, in interactive mode ({@code prompt}), where haproxy answers each command and then writes
 * its prompt: connecting once instead of once per command is what makes a burst of task changes cheap.
 */
final class UnixSocketCli {
    /**
     * How many bytes of commands go out before their answers are read. haproxy reads its CLI input
     * through one buffer ({@code tune.bufsize}, 16 kB by default) and stops reading while its answers
     * are not taken, so writing a whole large batch first could fill both directions at once; half a
     * default buffer per round trip keeps well clear of that and still carries about a hundred commands.
     */
    static final int PIPELINED_BYTES = 8 * 1024;
    /**
     * What ends each answer in interactive mode: the prompt at the start of a line. haproxy also
     * promises an empty line after each answer, but 2.6 leaves it out after some (e.g. {@code del
     * server}'s), while the prompt always comes.
     */
    private static final String PROMPT = "\n> ";

    private final Path socket;
    private final Duration timeout;

    UnixSocketCli(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    Path socket() {
        return socket;
    }

    /** One command on its own connection; its whole reply. */
    String send(String command) throws IOException {
        try (Connection connection = new Connection()) {
            // The master's CLI waits for the end of the input before it answers.
            connection.write(command + "\n");
            connection.channel.shutdownOutput();
            return connection.readToEnd(command);
        }
    }

    /**
     * Every command, in order, on one connection; each command's reply (empty when haproxy had nothing
     * to say), in the same order. haproxy carries on after a command it refuses, so the replies of the
     * ones after it are there too: judging them is the caller's business. Each command goes on its own
     * line, so no line comes near haproxy's line limit however long the batch, and the commands go out
     * {@link #PIPELINED_BYTES} at a time, each part with its own deadline.
     */
    List<String> sendAll(List<String> commands) throws IOException {
        List<String> replies = new ArrayList<>(commands.size());
        if (commands.isEmpty()) {
            return replies;
        }
        try (Connection connection = new Connection()) {
            connection.write("prompt\n");
            connection.readAnswers(1, "prompt");
            int from = 0;
            while (from < commands.size()) {
                StringBuilder part = new StringBuilder();
                int to = from;
                do {
                    part.append(commands.get(to++)).append('\n');
                } while (to < commands.size() && part.length() + commands.get(to).length() + 1 <= PIPELINED_BYTES);
                connection.restartDeadline();
                connection.write(part.toString());
                replies.addAll(connection.readAnswers(to - from, commands.get(from)));
                from = to;
            }
            return replies;
        }
    }

    /** One connection with its deadline; reads are non-blocking under a selector so that the deadline holds. */
    private final class Connection implements AutoCloseable {
        final SocketChannel channel;
        final Selector selector;
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        final ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        long deadline;

        Connection() throws IOException {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            try {
                selector = Selector.open();
                channel.configureBlocking(false);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            restartDeadline();
        }

        void restartDeadline() {
            deadline = System.nanoTime() + timeout.toNanos();
        }

        void write(String text) throws IOException {
            ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(SelectionKey.OP_WRITE, text);
                }
            }
        }

        String readToEnd(String command) throws IOException {
            while (readSome(command)) {
                // everything up to the close is the reply
            }
            return pending.toString(StandardCharsets.UTF_8);
        }

        /** The next {@code count} answers of interactive mode, each without its prompt. */
        List<String> readAnswers(int count, String command) throws IOException {
            List<String> answers = new ArrayList<>(count);
            String text = pending.toString(StandardCharsets.UTF_8);
            int start = 0;
            while (answers.size() < count) {
                int end = text.indexOf(PROMPT, start);
                if (end >= 0) {
                    answers.add(text.substring(start, end));
                    start = end + PROMPT.length();
                    continue;
                }
                if (!readSome(command)) {
                    throw new IOException(socket + " closed the connection after " + answers.size() + " of " + count
                            + " answers to the commands from: " + command);
                }
                text = pending.toString(StandardCharsets.UTF_8);
            }
            byte[] rest = text.substring(start).getBytes(StandardCharsets.UTF_8);
            pending.reset();
            pending.write(rest, 0, rest.length);
            return answers;
        }

        /** Reads what has come, waiting for some; false once haproxy closed its side. */
        private boolean readSome(String command) throws IOException {
            while (true) {
                int read = channel.read(buffer);
                if (read < 0) {
                    return false;
                }
                if (read > 0) {
                    pending.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                    return true;
                }
                await(SelectionKey.OP_READ, command);
            }
        }

        private void await(int operation, String command) throws IOException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("no answer from " + socket + " within " + timeout.toMillis() + " ms to: " + command);
            }
            SelectionKey key = channel.register(selector, operation);
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            key.interestOps(0);
        }

        @Override
        public void close() throws IOException {
            try (channel; selector) {
                // both closed, the channel's error first
            }
        }
    }
}
