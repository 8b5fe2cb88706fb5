package dev.berth.agent.host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the host's tools — storage ({@code mkfs.ext4}, {@code mount}, {@code umount}, {@code losetup})
 * or network ({@code ip}, {@code nft}) — and keeps its words: they become the reason a task, a volume or a
 * task's network was refused, where an operator reads them.
 *
 * @param stdin what the tool reads on its standard input ({@code nft -f -}: one atomic transaction); null: nothing
 */
public record HostCommand(List<String> argv, String stdin, Duration timeout) {
    /** mkfs of a large image zeroes its journal; the other tools take milliseconds, and a hang means trouble. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    public HostCommand {
        argv = List.copyOf(argv);
    }

    public static HostCommand of(String... argv) {
        return new HostCommand(List.of(argv), null, DEFAULT_TIMEOUT);
    }

    /** {@code tool args…} reading {@code script} on its standard input. */
    public static HostCommand withInput(String script, String... argv) {
        return new HostCommand(List.of(argv), script, DEFAULT_TIMEOUT);
    }

    /** What the tool ended with, and what it said (stdout and stderr together, trimmed). */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    public Result run() throws IOException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            // These tools say little (a listing at most); reading after the exit cannot fill the pipe first.
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not end within " + timeout);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return new Result(process.exitValue(), output);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", argv), e);
        }
    }

    /** Runs it and fails with its words unless it succeeded; returns what it printed. */
    public String runOrFail() throws IOException {
        Result result = run();
        if (!result.ok()) {
            throw new IOException(String.join(" ", argv) + " failed (exit " + result.exitCode() + ")"
                    + (result.output().isEmpty() ? "" : ": " + result.output()));
        }
        return result.output();
    }

    /** Runs it where failing is expected and harmless (removing what may be gone already); true if it worked. */
    public boolean runQuietly() {
        try {
            return run().ok();
        } catch (IOException e) {
            return false;
        }
    }
}
