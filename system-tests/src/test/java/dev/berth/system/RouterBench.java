package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the router costs and how fast it follows changes (issue 18's benchmark), on one cluster:
 * <ol>
 *   <li>latency: the same small server (one task, a python asyncio HTTP/1.1 server answering its task
 *   id) at a fixed rate (2,000 requests a second over 50 kept-alive connections by default) straight
 *   to the task and through the router, in alternating rounds so the machine's noise falls on both;</li>
 *   <li>route changes: 1,000 routed tasks of 10 apps on simulated agents, then 500 of them drained
 *   (scale down) and 500 added (scale up); each change is timed from when the scheduler's record of it
 *   is on {@code berth.tasks} to when HAProxy has it, read from HAProxy's own Runtime API
 *   ({@code show servers state}), not from the router.</li>
 * </ol>
 * Run with {@code bench/run RouterBench}. Only correctness is asserted (every request answered, every
 * change applied); the figures go to stdout and {@code docs/benchmarks.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterBench {
    private static final List<String> LOCAL_RUN_JVM = List.of("-Xmx192m", "-XX:+UseSerialGC");
    private static final String NODE = "rb-node-1";
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1).agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static BerthCluster.Router router;

    /** A small HTTP/1.1 server that keeps connections open and answers every request with its task id. */
    private static final String ECHO_SERVER = """
            import asyncio, os
            body = os.environ.get("BERTH_TASK_ID", "").encode()
            answer = (b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: "
                      + str(len(body)).encode() + b"\\r\\n\\r\\n" + body)
            async def serve(reader, writer):
                try:
                    while True:
                        await reader.readuntil(b"\\r\\n\\r\\n")
                        writer.write(answer)
                        await writer.drain()
                except Exception:
                    pass
                writer.close()
            async def main():
                server = await asyncio.start_server(serve, "0.0.0.0", int(os.environ["PORT0"]))
                await server.serve_forever()
            asyncio.run(main())
            """;

    @BeforeAll
    static void cluster() {
        cluster = berth.cluster();
        cluster.awaitNodesListed(Duration.ofSeconds(60), NODE);
        // The local run's JVM options, not the tests' C1-only ones: the router's speed at following
        // changes is the optimising compiler's.
        router = cluster.startRouter("router-bench", LOCAL_RUN_JVM);
    }

    @Test
    @Order(1)
    void latencyThroughTheRouterAgainstStraightToTheTask() throws Exception {
        int rate = Integer.getInteger("bench.rate", 2000);
        int connections = Integer.getInteger("bench.connections", 50);
        int rounds = Integer.getInteger("bench.rounds", 4);
        Duration round = Duration.ofSeconds(Integer.getInteger("bench.roundSeconds", 10));

        // Given one task of the small server, routed on /bench/echo, on the real agent
        ObjectNode app = JsonCodec.mapper().createObjectNode();
        app.put("id", "/bench/echo").put("instances", 1).put("cpus", 1).put("mem", 64)
                .put("cmd", "exec python3 -c '" + ECHO_SERVER + "'");
        app.putArray("portDefinitions").addObject().put("port", 0).put("name", "http");
        app.putObject("labels").put("BERTH_ROUTE_0_PATH", "/bench/echo");
        Http.Response created = Http.postJson(cluster.gateway().url() + "/v1/apps", app.toString());
        assertEquals(201, created.status(), created.body());
        JsonNode task = await("the echo task running").atMost(Duration.ofSeconds(60))
                .until(() -> cluster.tasks("/bench/echo").stream()
                        .filter(t -> t.path("state").asText().equals("RUNNING")).findFirst().orElse(null),
                        t -> t != null);
        String host = task.path("host").asText();
        int port = task.path("ports").path(0).asInt();
        int routerPort = Integer.parseInt(router.url().substring(router.url().lastIndexOf(':') + 1));
        FixedRateLoad direct = new FixedRateLoad(host, port, "/");
        FixedRateLoad routed = new FixedRateLoad("127.0.0.1", routerPort, "/bench/echo/");
        await("the router serving /bench/echo").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> routed.run(1, 100, Duration.ofMillis(100)).answered() > 0);

        // When both are loaded alike, round after round (a warm-up round each first, not counted)
        direct.run(connections, rate, round);
        routed.run(connections, rate, round);
        List<FixedRateLoad.Result> directRounds = new ArrayList<>();
        List<FixedRateLoad.Result> routedRounds = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            directRounds.add(direct.run(connections, rate, round));
            routedRounds.add(routed.run(connections, rate, round));
            System.out.printf("round %d: direct %s | router %s%n", i + 1, directRounds.get(i).summary(),
                    routedRounds.get(i).summary());
        }

        // Then every request was answered, both ways; the figures are reported, not judged
        FixedRateLoad.Result straight = FixedRateLoad.Result.merged(directRounds);
        FixedRateLoad.Result through = FixedRateLoad.Result.merged(routedRounds);
        System.out.printf("%n== router latency: %d req/s offered over %d connections, %d rounds of %d s ==%n",
                rate, connections, rounds, round.toSeconds());
        System.out.println("straight to the task: " + straight.summary());
        System.out.println("through the router:   " + through.summary());
        double target = 1.2 * straight.percentileMillis(99) + 1;
        System.out.printf("p99 through / direct: %.2f×; target p99 ≤ 1.2 × direct + 1 ms = %.2f ms: %s%n",
                through.percentileMillis(99) / straight.percentileMillis(99), target,
                through.percentileMillis(99) <= target ? "met" : "NOT met");
        assertEquals(0, straight.failed(), "no request straight to the task failed");
        assertEquals(0, through.failed(), "no request through the router failed");
        assertEquals(Http.delete(cluster.gateway().url() + "/v1/apps/bench/echo").status(), 200);
    }

    @Test
    @Order(2)
    void routeChangesAppliedPerSecondWithAThousandRoutedTasks() throws Exception {
        int apps = Integer.getInteger("bench.apps", 10);
        int perApp = Integer.getInteger("bench.perApp", 100);
        int nodes = Integer.getInteger("bench.nodes", 20);
        Path socket = router.workDir().resolve("haproxy.sock");
        try (SimulatedAgents agents = new SimulatedAgents(cluster.kafkaBootstrap(), nodes, Duration.ofSeconds(2));
             TaskChanges changes = new TaskChanges(cluster.kafkaBootstrap(), "/bench/many-")) {
            // Given 10 routed apps of 100 tasks each on the simulated nodes (which run no process: the
            // router and HAProxy neither know nor care), all of them in HAProxy
            for (int a = 0; a < apps; a++) {
                deployMany(a, perApp);
            }
            await("all " + apps * perApp + " tasks serving in HAProxy").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ServersState.read(socket).serving("bench_many_") == apps * perApp);

            // When half of each app is drained (a scale down), then as many are added again (a scale up)
            int half = perApp / 2;
            Measured drained = measure(changes, socket, apps * half,
                    record -> record.drainUntil() != null,
                    servers -> apps * perApp - servers.serving("bench_many_"),
                    () -> scaleAll(apps, perApp - half));
            await("the drained tasks gone").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> ServersState.read(socket).serving("bench_many_") == apps * (perApp - half)
                            && java.util.stream.IntStream.range(0, apps)
                            .allMatch(a -> cluster.tasks("/bench/many-" + a).size() == perApp - half));
            int servingBefore = apps * (perApp - half);
            Measured added = measure(changes, socket, apps * half,
                    record -> record.state() == TaskState.RUNNING && record.drainUntil() == null,
                    servers -> servers.serving("bench_many_") - servingBefore,
                    () -> scaleAll(apps, perApp));

            // Then every change reached HAProxy; how fast is reported
            System.out.printf("%n== router: route changes with %d routed tasks (%d apps × %d) ==%n",
                    apps * perApp, apps, perApp);
            System.out.println("drains (scale down by " + apps * half + "): " + drained.summary());
            System.out.println("additions (scale up by " + apps * half + "): " + added.summary());
            assertTrue(drained.count() == apps * half && added.count() == apps * half);
        }
    }

    private static void deployMany(int index, int instances) {
        String id = "/bench/many-" + index;
        Http.Response created = Http.postJson(cluster.gateway().url() + "/v1/apps", """
                {"id": "%s", "instances": %d, "cpus": 0.01, "mem": 1, "cmd": "simulated",
                 "portDefinitions": [{"port": 0}], "constraints": [["hostname", "LIKE", "sim-.*"]],
                 "labels": {"BERTH_ROUTE_0_PATH": "%s"}}""".formatted(id, instances, id));
        assertEquals(201, created.status(), created.body());
    }

    private static void scaleAll(int apps, int instances) {
        for (int a = 0; a < apps; a++) {
            Http.Response scaled = Http.patchJson(cluster.gateway().url() + "/v1/apps/bench/many-" + a,
                    "{\"instances\": " + instances + "}");
            assertEquals(200, scaled.status(), scaled.body());
        }
    }

    /** One measured change: how many, from the first one on berth.tasks to the last in HAProxy, and each one's lag. */
    record Measured(int count, double seconds, double lagP50Millis, double lagP99Millis, double lagMaxMillis) {
        String summary() {
            return String.format("%d changes in %.3f s from the first on berth.tasks to the last in HAProxy = %.0f/s; "
                            + "lag behind berth.tasks p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                    count, seconds, count / seconds, lagP50Millis, lagP99Millis, lagMaxMillis);
        }
    }

    /**
     * Starts watching berth.tasks for {@code expected} records that {@code counts}, makes the change,
     * and polls HAProxy until {@code applied} reaches {@code expected}. Records and HAProxy's count are
     * matched by count (the k-th change seen on the topic against the time HAProxy's count reached k):
     * HAProxy's order need not be the topic's, so each lag is that of the k-th change, not of one task.
     */
    private static Measured measure(TaskChanges changes, Path socket, int expected, Predicate<TaskRecord> counts,
                                    java.util.function.ToIntFunction<ServersState> applied, Runnable change) {
        changes.watch(counts);
        change.run();
        long[] appliedAt = new long[expected];
        int reached = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (reached < expected) {
            int now = Math.max(0, Math.min(expected, applied.applyAsInt(ServersState.read(socket))));
            long at = System.nanoTime();
            for (; reached < now; reached++) {
                appliedAt[reached] = at;
            }
            assertTrue(System.nanoTime() < deadline, "HAProxy had " + reached + " of " + expected + " changes after 2 minutes");
        }
        List<Long> seen = changes.seen();
        assertTrue(seen.size() >= expected, "berth.tasks showed " + seen.size() + " of " + expected + " changes");
        long[] lags = new long[expected];
        for (int k = 0; k < expected; k++) {
            lags[k] = Math.max(0, appliedAt[k] - seen.get(k));
        }
        java.util.Arrays.sort(lags);
        double seconds = (appliedAt[expected - 1] - seen.get(0)) / 1e9;
        return new Measured(expected, seconds, lags[expected / 2] / 1e6,
                lags[(int) Math.ceil(0.99 * expected) - 1] / 1e6, lags[expected - 1] / 1e6);
    }

    /**
     * The servers HAProxy has, from its Runtime API: {@code show servers state} lists every server slot
     * of every backend with its address and administrative state (maintenance and drain flags).
     */
    record ServersState(List<String[]> servers) {
        private static final int MAINT = 0x23;
        private static final int DRAIN = 0x18;

        static ServersState read(Path socket) {
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                channel.write(ByteBuffer.wrap("show servers state\n".getBytes(StandardCharsets.US_ASCII)));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                while (channel.read(buffer) >= 0) {
                    out.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
                List<String[]> servers = new ArrayList<>();
                for (String line : out.toString(StandardCharsets.US_ASCII).split("\n")) {
                    if (!line.isBlank() && !line.startsWith("#") && line.contains(" ")) {
                        servers.add(line.trim().split("\\s+"));
                    }
                }
                return new ServersState(servers);
            } catch (IOException e) {
                throw new UncheckedIOException("HAProxy's Runtime API at " + socket, e);
            }
        }

        /** Servers of backends named {@code prefix…} that take new requests: neither in maintenance nor draining. */
        int serving(String prefix) {
            int serving = 0;
            for (String[] server : servers) {
                // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state …
                if (server.length > 6 && server[1].startsWith(prefix)) {
                    int admin = Integer.parseInt(server[6]);
                    if ((admin & (MAINT | DRAIN)) == 0) {
                        serving++;
                    }
                }
            }
            return serving;
        }
    }

    /**
     * Follows berth.tasks (the scheduler's record of every task, which the routers follow) and notes
     * when each task of the apps under a prefix first matched what is being watched.
     */
    static final class TaskChanges implements AutoCloseable {
        private final String prefix;
        private final TopicFollower follower;
        private final List<Long> seen = new CopyOnWriteArrayList<>();
        private final Set<String> counted = ConcurrentHashMap.newKeySet();
        private volatile Predicate<TaskRecord> watching = record -> false;

        TaskChanges(String bootstrap, String prefix) {
            this.prefix = prefix;
            follower = new TopicFollower(bootstrap, Topics.TASKS.name(), Duration.ofMillis(20), "berth-tasks-changes", this::note);
        }

        /** From now on, notes each task's first record that matches {@code counts} (and forgets earlier notes). */
        void watch(Predicate<TaskRecord> counts) {
            seen.clear();
            counted.clear();
            watching = counts;
        }

        /** When each noted record was read, in order. */
        List<Long> seen() {
            return List.copyOf(seen);
        }

        private void note(Iterable<ConsumerRecord<String, byte[]>> records, long readAt) {
            for (ConsumerRecord<String, byte[]> record : records) {
                if (record.value() == null) {
                    continue;
                }
                TaskRecord task = JsonCodec.decode(record.value(), TaskRecord.class);
                if (task.appId() != null && task.appId().startsWith(prefix) && watching.test(task)
                        && counted.add(task.taskId())) {
                    seen.add(readAt);
                }
            }
        }

        @Override
        public void close() {
            follower.close();
        }
    }
}
