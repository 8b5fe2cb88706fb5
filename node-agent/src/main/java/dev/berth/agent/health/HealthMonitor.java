package dev.berth.agent.health;

import dev.berth.contracts.app.HealthCheck;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the health checks of the node's running tasks, next to them, and reports only their health
 * transitions to a {@link HealthListener} (Marathon's semantics, see {@link TaskHealth}).
 *
 * <p>Each check probes on its own: first after its {@code delaySeconds} from the task's start, then
 * every {@code intervalSeconds} from the start of the previous probe, and never while its previous
 * probe still runs. Threads stay few whatever the number of tasks (a node may watch a thousand): one
 * timer thread that only starts probes; HTTP probes on the JDK client's asynchronous I/O; TCP
 * connects and check commands on two small bounded pools, whose size caps how many run at once.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class);
    private static final int HTTP_THREADS = 2;
    private static final int TCP_THREADS = 4;
    private static final int COMMAND_THREADS = 8;

    private final HealthListener listener;
    private final ProbeTally tally;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService httpPool;
    private final ExecutorService tcpPool;
    private final ExecutorService commandPool;
    private final HttpClient http;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public HealthMonitor(HealthListener listener) {
        this(listener, passed -> {
        });
    }

    /** @param tally told of every probe's result (the listener only hears of transitions): the agent's metrics */
    public HealthMonitor(HealthListener listener, ProbeTally tally) {
        this.listener = listener;
        this.tally = tally;
        this.timer = new ScheduledThreadPoolExecutor(1, threads("berth-health-timer"));
        timer.setRemoveOnCancelPolicy(true); // unwatched tasks' next probes must not linger in the queue
        this.httpPool = pool(HTTP_THREADS, "berth-health-http");
        this.tcpPool = pool(TCP_THREADS, "berth-health-tcp");
        this.commandPool = pool(COMMAND_THREADS, "berth-health-command");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade dance with the task's server
                .followRedirects(HttpClient.Redirect.NEVER) // a 3xx passes, as in Marathon
                .executor(httpPool)
                .build();
    }

    /**
     * Starts running the target's checks. A task already watched, or without checks (it is never
     * reported on), changes nothing.
     */
    public void watch(HealthTarget target) {
        if (closed || target.checks().isEmpty()) {
            return;
        }
        Watch watch = new Watch(target);
        if (watches.putIfAbsent(target.taskId(), watch) == null) {
            watch.start();
        }
    }

    /**
     * Stops the task's checks (it ended, or is being killed) and kills a check command still running.
     * Does not wait for a probe in flight: a report may still come while this returns.
     */
    public void unwatch(String taskId) {
        Watch watch = watches.remove(taskId);
        if (watch != null) {
            watch.stop();
        }
    }

    /** The tasks whose checks run now. */
    public Set<String> watched() {
        return Set.copyOf(watches.keySet());
    }

    @Override
    public void close() {
        closed = true;
        List.copyOf(watches.keySet()).forEach(this::unwatch);
        timer.shutdownNow();
        commandPool.shutdownNow();
        tcpPool.shutdownNow();
        httpPool.shutdownNow();
    }

    private Probe probe(HealthCheck check, HealthTarget target) {
        int timeout = Math.max(1, check.timeoutSeconds());
        HealthCheck.Protocol protocol = check.protocol() == null ? HealthCheck.Protocol.HTTP : check.protocol();
        if (protocol == HealthCheck.Protocol.COMMAND) {
            String command = check.command() == null ? null : check.command().value();
            String description = "command check '" + command + "'";
            if (command == null || command.isBlank()) {
                return Probe.failing(description, "no command to run");
            }
            if (target.commands() == null) {
                return Probe.failing(description, "this agent's runtime cannot run check commands");
            }
            return new CommandProbe(target.commands(), command, timeout, commandPool, description);
        }
        Integer port = port(check, target);
        if (port == null) {
            return Probe.failing(protocol + " check on port index " + check.effectivePortIndex(),
                    "the task has no port at index " + check.effectivePortIndex() + " (it has "
                            + target.ports().size() + ")");
        }
        if (protocol == HealthCheck.Protocol.TCP) {
            return new TcpProbe(target.host(), port, timeout, tcpPool, "TCP check on port " + port);
        }
        String path = check.path() == null || check.path().isBlank() ? "/"
                : check.path().startsWith("/") ? check.path() : "/" + check.path();
        String description = "HTTP check on port " + port + " " + path;
        String host = target.host().contains(":") && !target.host().startsWith("[") ? "[" + target.host() + "]"
                : target.host(); // an IPv6 literal
        try {
            return new HttpProbe(http, URI.create("http://" + host + ":" + port + path), timeout, description);
        } catch (IllegalArgumentException e) {
            return Probe.failing(description, "not a valid URL: " + e.getMessage());
        }
    }

    /** The check's fixed {@code port}, else the task's port at its {@code portIndex}; null if it has none there. */
    private static Integer port(HealthCheck check, HealthTarget target) {
        if (check.port() != null && check.port() > 0) {
            return check.port();
        }
        int index = check.effectivePortIndex();
        return index >= 0 && index < target.ports().size() ? target.ports().get(index).port() : null;
    }

    /** Counts probe results; called on the monitor's threads, so it must return at once. */
    @FunctionalInterface
    public interface ProbeTally {
        void probed(boolean passed);
    }

    /** One watched task: its checks' loops and its health, whose results are folded one at a time. */
    private final class Watch {
        private final HealthTarget target;
        private final List<CheckLoop> loops = new ArrayList<>();
        private final TaskHealth health;
        private volatile boolean stopped;

        Watch(HealthTarget target) {
            this.target = target;
            List<String> descriptions = new ArrayList<>();
            for (int i = 0; i < target.checks().size(); i++) {
                Probe probe = probe(target.checks().get(i), target);
                loops.add(new CheckLoop(this, i, target.checks().get(i), probe));
                descriptions.add(probe.description());
            }
            this.health = new TaskHealth(target.checks(), descriptions, target.startedAt());
        }

        void start() {
            for (CheckLoop loop : loops) {
                Instant first = target.startedAt().plusSeconds(Math.max(0, loop.check.delaySeconds()));
                loop.schedule(Math.max(0, Duration.between(Instant.now(), first).toMillis()));
            }
        }

        void stop() {
            stopped = true;
            loops.forEach(CheckLoop::stop);
        }

        /** Serialized per task, so that its reports leave in the order its results came. */
        synchronized void record(int index, ProbeResult result) {
            if (stopped) {
                return;
            }
            tally.probed(result.passed());
            health.record(index, result, Instant.now()).ifPresent(t -> {
                try {
                    listener.changed(target.taskId(), t.state(), t.reason(), t.report());
                } catch (RuntimeException e) {
                    LOG.errorf(e, "health listener failed on %s of task %s", t.state(), target.taskId());
                }
            });
        }
    }

    /** One check of one task: probe, fold the result, wait out the rest of the interval, again. */
    private final class CheckLoop {
        private final Watch watch;
        private final int index;
        private final HealthCheck check;
        private final Probe probe;
        private volatile ScheduledFuture<?> next;

        CheckLoop(Watch watch, int index, HealthCheck check, Probe probe) {
            this.watch = watch;
            this.index = index;
            this.check = check;
            this.probe = probe;
        }

        void schedule(long delayMillis) {
            if (watch.stopped) {
                return;
            }
            try {
                next = timer.schedule(this::probeOnce, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the monitor is closing
            }
        }

        private void probeOnce() {
            if (watch.stopped) {
                return;
            }
            long started = System.nanoTime();
            CompletableFuture<ProbeResult> result;
            try {
                result = probe.run();
            } catch (RuntimeException e) { // a pool already shut down, or a fault of ours
                result = CompletableFuture.completedFuture(ProbeResult.fail("probe failed: " + e));
            }
            result.whenComplete((outcome, error) -> {
                watch.record(index, outcome != null ? outcome : ProbeResult.fail("probe failed: " + error));
                long interval = TimeUnit.SECONDS.toMillis(Math.max(1, check.intervalSeconds()));
                long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                schedule(Math.max(0, interval - elapsed));
            });
        }

        void stop() {
            ScheduledFuture<?> pending = next;
            if (pending != null) {
                pending.cancel(false);
            }
            probe.cancel();
        }
    }

    private static ExecutorService pool(int threads, String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(name));
        pool.allowCoreThreadTimeOut(true); // a node without such checks keeps no idle threads for them
        return pool;
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true); // never what keeps the agent's JVM alive
            return thread;
        };
    }
}
