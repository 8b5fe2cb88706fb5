package dev.berth.agent.runtime;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices when an adopted task ends. An agent can wait for its own children only; a task started by
 * an earlier agent process is somebody else's child now, so one thread looks at all of them a few
 * times a second, and reads the exit code their init wrote.
 */
final class ExitWatch {
    private static final Logger LOG = Logger.getLogger(ExitWatch.class);
    private static final long POLL_MILLIS = 250;

    private final Map<ProcessStamp, Watched> watched = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    private record Watched(Path exitFile, CompletableFuture<Integer> exit) {
    }

    /** Completes with the task's exit code once it has ended (at once if it already has); null if unknown. */
    CompletableFuture<Integer> exitOf(ProcessStamp stamp, Path exitFile) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        if (stamp.find().isEmpty()) {
            exit.complete(readExitCode(exitFile));
            return exit;
        }
        watched.put(stamp, new Watched(exitFile, exit));
        ensureRunning();
        return exit;
    }

    private synchronized void ensureRunning() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "adopted-task-exits");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void poll() {
        try {
            watched.forEach((stamp, w) -> {
                if (stamp.find().isEmpty()) {
                    watched.remove(stamp);
                    w.exit.complete(readExitCode(w.exitFile));
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf(e, "watching adopted tasks failed once");
        }
    }

    /** The code the task's init wrote; null when it wrote none (it was killed, or never got that far). */
    static Integer readExitCode(Path exitFile) {
        try {
            return Integer.valueOf(Files.readString(exitFile).trim());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}
