package dev.berth.agent.network;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the host's network tools ({@code ip}, {@code nft}) and keeps its words: when a task's
 * network cannot be made they become the reason its start failed, where an operator reads them.
 */
record NetCommand(List<String> argv, String stdin) {
    /** Each call changes a few kernel objects and takes milliseconds; a hang means something is badly wrong. */
    private static final long TIMEOUT_SECONDS = 30;

    static NetCommand of(String... argv) {
        return new NetCommand(List.of(argv), null);
    }

    /** {@code tool args…} reading {@code script} on its standard input ({@code nft -f -}: one atomic transaction). */
    static NetCommand withInput(String script, String... argv) {
        return new NetCommand(List.of(argv), script);
    }

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    Result run() throws IOException {
        Process process = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true).start();
        try {
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            // These tools say little (a listing at most); reading after the exit cannot fill the pipe first.
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not end within " + TIMEOUT_SECONDS + " s");
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
    String runOrFail() throws IOException {
        Result result = run();
        if (!result.ok()) {
            throw new IOException(String.join(" ", argv) + " failed (exit " + result.exitCode() + ")"
                    + (result.output().isEmpty() ? "" : ": " + result.output()));
        }
        return result.output();
    }

    /** Runs it where failing is expected and harmless (removing what may be gone already); true if it worked. */
    boolean runQuietly() {
        try {
            return run().ok();
        } catch (IOException e) {
            return false;
        }
    }
}
