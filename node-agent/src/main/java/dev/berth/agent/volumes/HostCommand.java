package dev.berth.agent.volumes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the host's storage tools ({@code mkfs.ext4}, {@code mount}, {@code umount}, {@code losetup})
 * and keeps its words: they become the reason a task or a removal was refused, where an operator reads them.
 */
record HostCommand(List<String> argv, Duration timeout) {
    /** mkfs of a large image zeroes its journal; mount and umount of a loop device take milliseconds. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    static HostCommand of(String... argv) {
        return new HostCommand(List.of(argv), DEFAULT_TIMEOUT);
    }

    /** What the tool ended with, and what it said (stdout and stderr together, trimmed). */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    Result run() throws IOException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            // The tools say little; reading after the exit cannot fill the pipe and block them.
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

    /** Runs it and fails with its words unless it succeeded. */
    String runOrFail() throws IOException {
        Result result = run();
        if (!result.ok()) {
            throw new IOException(String.join(" ", argv) + " failed (exit " + result.exitCode() + ")"
                    + (result.output().isEmpty() ? "" : ": " + result.output()));
        }
        return result.output();
    }
}
