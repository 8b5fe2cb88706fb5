package dev.berth.agent.health;

import dev.berth.agent.runtime.ProcessTree;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A shell command run next to the task (by its {@link CommandLauncher}): exit code 0 passes. A
 * command slower than the timeout is killed with everything it started, so probes never pile up.
 * It waits on a bounded pool: that pool's size is how many command probes run at once on the node.
 */
final class CommandProbe implements Probe {
    private static final File NO_INPUT = new File("/dev/null");

    private final CommandLauncher launcher;
    private final String command;
    private final int timeoutSeconds;
    private final Executor pool;
    private final String description;
    private final AtomicReference<Process> running = new AtomicReference<>();
    private volatile boolean cancelled;

    CommandProbe(CommandLauncher launcher, String command, int timeoutSeconds, Executor pool, String description) {
        this.launcher = launcher;
        this.command = command;
        this.timeoutSeconds = timeoutSeconds;
        this.pool = pool;
        this.description = description;
    }

    @Override
    public CompletableFuture<ProbeResult> run() {
        return CompletableFuture.supplyAsync(this::execute, pool);
    }

    private ProbeResult execute() {
        if (cancelled) {
            return ProbeResult.fail("cancelled");
        }
        Process process;
        try {
            process = quiet(launcher.next(command)).start();
        } catch (IOException | RuntimeException e) {
            return ProbeResult.fail("cannot start: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        }
        running.set(process);
        try {
            if (cancelled) {
                ProcessTree.killNow(process.toHandle());
                return ProbeResult.fail("cancelled");
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                ProcessTree.killNow(process.toHandle());
                return ProbeResult.timedOut(timeoutSeconds);
            }
            int code = process.exitValue();
            return code == 0 ? ProbeResult.pass("exit code 0") : ProbeResult.fail("exit code " + code);
        } catch (InterruptedException e) {
            ProcessTree.killNow(process.toHandle());
            Thread.currentThread().interrupt();
            return ProbeResult.fail("interrupted");
        } finally {
            running.set(null);
        }
    }

    /**
     * Nobody reads a check's output, and an unread pipe would block a chatty command; nor does it
     * get input. Redirections the launcher chose itself are kept.
     */
    private static ProcessBuilder quiet(ProcessBuilder builder) {
        if (builder.redirectInput() == ProcessBuilder.Redirect.PIPE) {
            builder.redirectInput(NO_INPUT);
        }
        if (builder.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        if (!builder.redirectErrorStream() && builder.redirectError() == ProcessBuilder.Redirect.PIPE) {
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        return builder;
    }

    @Override
    public void cancel() {
        cancelled = true;
        Process process = running.get();
        if (process != null) {
            ProcessTree.killNow(process.toHandle());
        }
    }

    @Override
    public String description() {
        return description;
    }
}
