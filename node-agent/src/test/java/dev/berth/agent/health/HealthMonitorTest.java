package dev.berth.agent.health;

import com.sun.net.httpserver.HttpServer;
import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskState;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Over real sockets, servers and processes, with 1 s intervals. */
class HealthMonitorTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final List<Report> reports = new CopyOnWriteArrayList<>();
    private final HealthMonitor monitor = new HealthMonitor(
            (taskId, state, reason, report) -> reports.add(new Report(taskId, state, reason, report)));
    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Path dir = Directories.scratch("health-");

    record Report(String taskId, TaskState state, String reason, HealthReport health) {
    }

    @AfterEach
    void tearDown() {
        monitor.close();
        release.countDown();
        servers.forEach(s -> s.stop(0));
        serverThreads.shutdownNow();
        Directories.deleteQuietly(dir);
    }

    @Test
    void anHttpCheckReportsHealthyThenUnhealthyThenExhaustedThenHealthyAgain() throws IOException {
        // Given a server that answers 200 on the task's second port
        AtomicInteger status = new AtomicInteger(200);
        int port = server(n -> status.get());
        HealthCheck check = http("/health", 1, 0, 3);

        // When its task is watched
        monitor.watch(target("t1", List.of(check), List.of(new PortAssignment("a", 1), new PortAssignment("b", port))));

        // Then it becomes healthy
        await().atMost(WAIT).until(() -> reports.size() == 1);
        assertEquals(TaskState.HEALTHY, reports.get(0).state());
        assertEquals(new HealthReport(0, 0, 3, "HTTP 200"), reports.get(0).health());

        // When the server starts answering 500
        status.set(500);

        // Then the first failure is reported, then the third, and nothing in between
        await().atMost(WAIT).until(() -> reports.size() == 3);
        Report first = reports.get(1);
        assertEquals(TaskState.UNHEALTHY, first.state());
        assertEquals(new HealthReport(0, 1, 3, "HTTP 500"), first.health());
        assertEquals("HTTP check on port " + port + " /health failed: HTTP 500", first.reason());
        Report exhausted = reports.get(2);
        assertEquals(TaskState.UNHEALTHY, exhausted.state());
        assertTrue(exhausted.health().exhausted());
        assertEquals("HEALTH_CHECK_FAILED: HTTP check on port " + port + " /health failed 3 times in a row: HTTP 500",
                exhausted.reason());

        // And when it answers a redirect again, the task is healthy again
        status.set(302);
        await().atMost(WAIT).until(() -> reports.size() == 4);
        assertEquals(TaskState.HEALTHY, reports.get(3).state());
        assertEquals("HTTP 302", reports.get(3).health().lastResult());
    }

    @Test
    void aTcpCheckPassesOnAConnectionAndFailsOnceNothingListens() throws IOException {
        // Given a listening socket
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        HealthCheck check = new HealthCheck(HealthCheck.Protocol.TCP, null, null, socket.getLocalPort(), null, 0, 1, 1,
                3, 0);
        monitor.watch(target("t1", List.of(check), List.of()));
        await().atMost(WAIT).until(() -> reports.size() == 1);
        assertEquals(TaskState.HEALTHY, reports.get(0).state());

        // When it is closed
        socket.close();

        // Then the check fails: connection refused
        await().atMost(WAIT).until(() -> reports.size() == 2);
        assertEquals(TaskState.UNHEALTHY, reports.get(1).state());
        assertEquals("connection refused", reports.get(1).health().lastResult());
        assertEquals("TCP check on port " + socket.getLocalPort() + " failed: connection refused",
                reports.get(1).reason());
    }

    @Test
    void aCommandCheckRunsInTheTasksDirectoryAndPassesOnExitZero() throws IOException {
        // Given a command check that looks for a file in the task's directory, which is there
        Files.writeString(dir.resolve("ok"), "");
        HealthCheck check = command("test -f ok", 0, 3);
        monitor.watch(target("t1", List.of(check), List.of()));
        await().atMost(WAIT).until(() -> reports.size() == 1);
        assertEquals(TaskState.HEALTHY, reports.get(0).state());
        assertEquals("exit code 0", reports.get(0).health().lastResult());

        // When the file goes away
        Files.delete(dir.resolve("ok"));

        // Then the check fails with the command's exit code
        await().atMost(WAIT).until(() -> reports.size() == 2);
        assertEquals(TaskState.UNHEALTHY, reports.get(1).state());
        assertEquals("command check 'test -f ok' failed: exit code 1", reports.get(1).reason());
    }

    @Test
    void failuresDuringTheGracePeriodAreIgnoredUntilTheFirstPass() throws IOException {
        // Given a server that fails its first two probes, and a check with a long grace period
        int port = server(n -> n <= 2 ? 500 : 200);
        HealthCheck check = new HealthCheck(HealthCheck.Protocol.HTTP, "/", null, port, null, 600, 1, 1, 3, 0);

        // When the task that just started is watched
        monitor.watch(target("t1", List.of(check), List.of()));

        // Then its first report is that it is healthy: the early failures were not counted
        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertEquals(TaskState.HEALTHY, reports.get(0).state());
        assertEquals(1, reports.size());
    }

    @Test
    void aFailureCountsAtOnceOnceTheGracePeriodIsOver() throws IOException {
        // Given a task that started an hour ago, a check with a 10 s grace period, and a failing server
        int port = server(n -> 503);
        HealthCheck check = new HealthCheck(HealthCheck.Protocol.HTTP, "/", null, port, null, 10, 1, 1, 3, 0);

        // When it is watched
        monitor.watch(new HealthTarget("t1", List.of(check), List.of(), "127.0.0.1",
                Instant.now().minus(Duration.ofHours(1)), null));

        // Then the first failure is reported
        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertEquals(TaskState.UNHEALTHY, reports.get(0).state());
        assertEquals(new HealthReport(0, 1, 3, "HTTP 503"), reports.get(0).health());
    }

    @Test
    void anHttpProbeSlowerThanTheTimeoutFails() throws IOException {
        // Given a server that never answers
        int port = server(n -> {
            awaitRelease();
            return 200;
        });
        HealthCheck check = new HealthCheck(HealthCheck.Protocol.HTTP, "/", null, port, null, 0, 1, 1, 3, 0);

        // When it is probed
        monitor.watch(target("t1", List.of(check), List.of()));

        // Then the probe times out
        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertEquals(TaskState.UNHEALTHY, reports.get(0).state());
        assertEquals("timed out after 1 s", reports.get(0).health().lastResult());
    }

    @Test
    void aCheckCommandSlowerThanTheTimeoutIsKilledWithWhatItStarted() throws IOException {
        // Given a check command that starts a long sleep and waits for it
        HealthCheck check = command("sleep 30 & echo $! > sleep.pid; wait", 0, 3);

        // When it is probed
        monitor.watch(target("t1", List.of(check), List.of()));

        // Then the probe times out, and the sleep is gone
        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertEquals("timed out after 1 s", reports.get(0).health().lastResult());
        long sleep = Long.parseLong(Files.readString(dir.resolve("sleep.pid")).trim());
        await().atMost(WAIT).until(() -> !running(sleep));
    }

    @Test
    void aTimedOutCommandThatLeadsItsOwnGroupTakesItsOrphansAlong() throws IOException {
        // Given a launcher that starts check commands through setsid, and a command that orphans a sleep
        HealthCheck check = command("(sleep 30 & echo $! > orphan.pid); exec sleep 30", 0, 3);
        CommandLauncher inOwnGroup = cmd -> new ProcessBuilder("setsid", "/bin/sh", "-c", cmd).directory(dir.toFile());

        // When it is probed
        monitor.watch(new HealthTarget("t1", List.of(check), List.of(), "127.0.0.1", Instant.now(), inOwnGroup));

        // Then the probe times out, and the orphan (no longer anyone's descendant) is gone too
        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertEquals("timed out after 1 s", reports.get(0).health().lastResult());
        long orphan = Long.parseLong(Files.readString(dir.resolve("orphan.pid")).trim());
        await().atMost(WAIT).until(() -> !running(orphan));
    }

    @Test
    void theFirstProbeWaitsForTheDelayAfterTheStart() throws IOException {
        // Given a check with a 2 s delay, and a server that notes when it is first asked
        AtomicReference<Instant> firstProbe = new AtomicReference<>();
        int port = server(n -> {
            firstProbe.compareAndSet(null, Instant.now());
            return 200;
        });
        HealthCheck check = new HealthCheck(HealthCheck.Protocol.HTTP, "/", null, port, null, 0, 1, 1, 3, 2);
        Instant started = Instant.now();

        // When the task is watched
        monitor.watch(new HealthTarget("t1", List.of(check), List.of(), "127.0.0.1", started, null));

        // Then it is probed no earlier than 2 s after its start
        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertFalse(firstProbe.get().isBefore(started.plusSeconds(2)), "probed at " + firstProbe.get());
    }

    @Test
    void aTaskWithoutChecksIsNeverWatched() {
        monitor.watch(target("t1", List.of(), List.of()));

        assertTrue(monitor.watched().isEmpty());
    }

    @Test
    void anUnwatchedTaskIsProbedNoMore() throws IOException {
        // Given a watched task that has been probed
        AtomicInteger probes = new AtomicInteger();
        int port = server(n -> {
            probes.incrementAndGet();
            return 200;
        });
        monitor.watch(target("t1", List.of(http("/", null, port, 3)), List.of()));
        monitor.watch(target("t1", List.of(http("/", null, port, 3)), List.of())); // a second watch: no-op
        await().atMost(WAIT).until(() -> !reports.isEmpty());

        // When it is unwatched
        monitor.unwatch("t1");
        int seen = probes.get();

        // Then no probe comes any more (one already under way may still land)
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> probes.get() <= seen + 1);
        assertTrue(monitor.watched().isEmpty());
        assertEquals(1, reports.size());
    }

    private HealthTarget target(String taskId, List<HealthCheck> checks, List<PortAssignment> ports) {
        return new HealthTarget(taskId, checks, ports, "127.0.0.1", Instant.now(),
                cmd -> new ProcessBuilder("/bin/sh", "-c", cmd).directory(dir.toFile()));
    }

    private static HealthCheck http(String path, Integer portIndex, Integer port, int maxConsecutiveFailures) {
        return new HealthCheck(HealthCheck.Protocol.HTTP, path, portIndex, port, null, 0, 1, 1,
                maxConsecutiveFailures, 0);
    }

    private static HealthCheck command(String command, int graceSeconds, int maxConsecutiveFailures) {
        return new HealthCheck(HealthCheck.Protocol.COMMAND, null, null, null, new HealthCheck.Command(command),
                graceSeconds, 1, 1, maxConsecutiveFailures, 0);
    }

    /** A server on a free port answering the status chosen for the n-th request (from 1). */
    private int server(IntUnaryOperator statusOfRequest) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/", exchange -> {
            int status = statusOfRequest.applyAsInt(requests.incrementAndGet());
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.setExecutor(serverThreads); // a handler that hangs must not hang the others
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Alive and not a zombie (this container's init may never reap a killed orphan). */
    private static boolean running(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
            } catch (IOException e) {
                return false;
            }
        }).orElse(false);
    }
}
