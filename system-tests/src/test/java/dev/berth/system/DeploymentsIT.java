package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deployments over real processes: two agents, the scheduler with a standby, the volume service and the
 * gateway; apps are small HTTP servers checked by HTTP health checks. Changing an app (PUT) rolls it,
 * gated on health; a broken version is rolled back; canaries pause for promotion; a stateful app is
 * upgraded in place; a standby scheduler finishes a deployment its predecessor started; and a change
 * made before the old instances' health is known keeps them serving within the over-capacity.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    /**
     * Answers every GET with its VERSION (500 when BROKEN=1). On SIGTERM it keeps serving for two more
     * seconds, as a server behind a load balancer would, so requests already routed to it succeed.
     */
    private static final String SERVER = """
            import os, signal, threading, time, http.server
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = os.environ['VERSION'].encode()
                    self.send_response(500 if os.environ.get('BROKEN') == '1' else 200)
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            server = http.server.ThreadingHTTPServer(('0.0.0.0', int(os.environ['PORT0'])), Handler)
            def stop(*args):
                threading.Thread(target=lambda: (time.sleep(2), os._exit(0)), daemon=True).start()
            signal.signal(signal.SIGTERM, stop)
            server.serve_forever()
            """;
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
            .standbySchedulers(1)
            .agent("dep-node-1", "zone=a")
            .agent("dep-node-2", "zone=b");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNodes() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, "dep-node-1", "dep-node-2");
    }

    @Test
    @Order(1)
    void aRollingUpgradeKeepsFourHealthyInstancesAndServesEveryRequest() throws Exception {
        String app = "/team-a/roll";
        create(server(app, 4, "v1", Map.of("minimumHealthCapacity", 1.0, "maximumOverCapacity", 0.25)));
        awaitHealthyVersion(app, 4, "v1");

        try (Poller poller = new Poller(app)) {
            poller.awaitRequests(20);
            put(app, server(app, 4, "v2", Map.of("minimumHealthCapacity", 1.0, "maximumOverCapacity", 0.25)));
            JsonNode deployment = awaitDeployment(app, "SUCCEEDED");
            awaitHealthyVersion(app, 4, "v2");
            poller.awaitRequests(poller.requests() + 20);
            poller.stop();

            assertEquals(List.of(), poller.failures(), "every request during the roll was served");
            assertTrue(poller.minimumHealthy() >= 4, "fewest healthy instances seen: " + poller.minimumHealthy());
            assertTrue(poller.versionsServed().containsAll(List.of("v1", "v2")), poller.versionsServed().toString());
            assertEquals(4, deployment.path("progress").path("target").asInt(), deployment.toString());
        }
    }

    @Test
    @Order(2)
    void aVersionWhoseHealthChecksFailIsRolledBackAutomatically() {
        String app = "/team-a/broken";
        create(server(app, 2, "v1", Map.of()));
        awaitHealthyVersion(app, 2, "v1");

        ObjectNode broken = server(app, 2, "v2", Map.of("autoRollback", true, "progressDeadlineSeconds", 60));
        ((ObjectNode) broken.path("env")).put("BROKEN", "1");
        // Its checks fail from its first answer: failures within the grace period are not counted, and
        // 20 s of it for each of its instances (two rounds of them) made most of the test's minute.
        ((ObjectNode) broken.path("healthChecks").get(0)).put("gracePeriodSeconds", 5);
        put(app, broken);

        JsonNode deployment = awaitDeployment(app, "ROLLED_BACK");
        assertTrue(!deployment.path("reason").asText().isBlank(), "the reason is told: " + deployment);
        awaitHealthyVersion(app, 2, "v1");
        JsonNode now = Http.get(gateway + "/v1/apps" + app).json();
        assertEquals("v1", now.path("env").path("VERSION").asText(), "the definition is the old one again");
        assertTrue(now.path("env").path("BROKEN").isMissingNode(), now.toString());
    }

    @Test
    @Order(3)
    void aCanaryPausesUntilPromotedAndAnotherIsRolledBack() {
        String app = "/team-a/canary";
        create(server(app, 3, "v1", Map.of()));
        awaitHealthyVersion(app, 3, "v1");

        // Canary one of three, then promote
        put(app, server(app, 3, "v2", Map.of("canary", 1, "autoPromote", false)));
        JsonNode paused = awaitDeployment(app, "PAUSED");
        assertEquals(Map.of("v1", 3, "v2", 1), healthyByVersion(app), "one canary beside the three");
        Http.Response promoted = Http.post(gateway + "/v1/deployments/" + paused.path("id").asText() + "/promote");
        assertEquals(200, promoted.status(), promoted.body());
        awaitDeployment(app, "SUCCEEDED");
        awaitHealthyVersion(app, 3, "v2");

        // Canary again, then roll it back: the canary goes, the three stay
        put(app, server(app, 3, "v3", Map.of("canary", 1, "autoPromote", false)));
        JsonNode again = awaitDeployment(app, "PAUSED");
        Http.Response rolledBack = Http.post(gateway + "/v1/deployments/" + again.path("id").asText() + "/rollback");
        assertEquals(200, rolledBack.status(), rolledBack.body());
        awaitDeployment(app, "ROLLED_BACK");
        awaitHealthyVersion(app, 3, "v2");
        assertEquals("v2", Http.get(gateway + "/v1/apps" + app).json().path("env").path("VERSION").asText());
    }

    @Test
    @Order(4)
    void aStatefulAppIsUpgradedInPlaceWithItsData() {
        cluster.assumeNamespaces("aStatefulAppIsUpgradedInPlaceWithItsData", "dep-node-1", "dep-node-2");
        String app = "/team-a/ledger";
        ObjectNode definition = stateful(app, "v1");
        create(definition);
        await("both identities running").atMost(DEADLINE).until(() -> cluster.running(app).size() == 2);
        // RUNNING comes as the process starts: wait until each has written its version, or the upgrade
        // could stop it before it did and there would be nothing for the new version to find.
        await("both identities wrote").atMost(DEADLINE).until(() -> wantedOutputs(app).size() == 2
                && wantedOutputs(app).stream().allMatch(log -> log.contains("wrote")));
        Map<String, String> nodeOf = identitiesOn(app);

        put(app, stateful(app, "v2"));
        awaitDeployment(app, "SUCCEEDED");
        await("both identities on v2").atMost(DEADLINE).until(() -> versions(app).equals(List.of("v2", "v2")));
        assertEquals(nodeOf, identitiesOn(app), "each identity stayed on its node");
        await("the new version started on each identity").atMost(DEADLINE).until(() -> wantedOutputs(app).size() == 2
                && wantedOutputs(app).stream().allMatch(log -> log.contains("wrote")));
        for (String log : wantedOutputs(app)) {
            assertTrue(log.contains("seen: v1"), "the new version read what the old one wrote: " + log);
        }
    }

    @Test
    @Order(5)
    void aStandbySchedulerFinishesADeploymentItsPredecessorStarted() {
        String app = "/team-a/failover";
        create(server(app, 4, "v1", Map.of("minimumHealthCapacity", 1.0, "maximumOverCapacity", 0.25)));
        awaitHealthyVersion(app, 4, "v1");
        ServiceProcess active = cluster.awaitActiveScheduler(DEADLINE);

        put(app, server(app, 4, "v2", Map.of("minimumHealthCapacity", 1.0, "maximumOverCapacity", 0.25)));
        JsonNode started = await("the roll under way").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> latestDeployment(app), d -> d != null && d.path("state").asText().equals("RUNNING")
                        && d.path("progress").path("newHealthy").asInt() >= 1);
        active.kill();

        JsonNode finished = awaitDeployment(app, "SUCCEEDED");
        assertEquals(started.path("id").asText(), finished.path("id").asText(), "the same deployment, resumed");
        awaitHealthyVersion(app, 4, "v2");
        ServiceProcess successor = cluster.awaitActiveScheduler(DEADLINE);
        assertTrue(successor != active, "a standby took over");
        cluster.startScheduler();
    }

    @Test
    @Order(6)
    void anAppIsRolledBackToAnEarlierVersionByHand() {
        String app = "/team-a/undo";
        create(server(app, 2, "v1", Map.of()));
        awaitHealthyVersion(app, 2, "v1");
        put(app, server(app, 2, "v2", Map.of()));
        awaitDeployment(app, "SUCCEEDED");
        awaitHealthyVersion(app, 2, "v2");

        Http.Response rolledBack = Http.post(gateway + "/v1/apps" + app + "/rollback?version=1");
        assertEquals(200, rolledBack.status(), rolledBack.body());

        await("the rollback's deployment succeeded").atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> latestDeployment(app), d -> d != null && d.path("cause").asText().equals("rollback")
                        && d.path("state").asText().equals("SUCCEEDED"));
        awaitHealthyVersion(app, 2, "v1");
        JsonNode versions = Http.get(gateway + "/v1/apps" + app + "/versions").json().path("versions");
        assertEquals("rolled-back", versions.get(0).path("change").asText(), versions.toString());
        assertEquals(3, versions.get(0).path("version").asInt(), "a rollback is a new version: " + versions);
    }

    @Test
    @Order(7)
    void aRollStartedBeforeTheOldInstancesHealthIsKnownKeepsThemServingAndStaysWithinTheOverCapacity() {
        // Given 3 instances whose first health check comes 10 s after their start, and 1 extra allowed
        String app = "/team-a/unjudged";
        Map<String, Object> strategy = Map.of("minimumHealthCapacity", 1.0, "maximumOverCapacity", 0.34);
        create(withLateHealthChecks(server(app, 3, "v1", strategy)));
        await(app + ": 3 running").atMost(DEADLINE).pollInterval(Duration.ofMillis(80))
                .until(() -> cluster.running(app).size() == 3);

        try (AppWatch watch = new AppWatch(app)) {
            // When it is changed while they run and no health result exists yet
            JsonNode before = Http.get(gateway + "/v1/apps" + app).json();
            put(app, withLateHealthChecks(server(app, 3, "v2", strategy)));
            for (JsonNode task : before.path("tasks")) {
                assertEquals("RUNNING", task.path("state").asText(), "no health result yet at the change: " + before);
            }

            // Then the roll completes with 3 new instances
            awaitDeployment(app, "SUCCEEDED");
            awaitHealthyVersion(app, 3, "v2");
            watch.stop();

            // And every answer seen through it had at least 3 serving and at most 4 tasks on the nodes
            List<AppWatch.Seen> seen = watch.seen();
            assertTrue(seen.size() > 50, "the app was watched through the roll: " + seen.size() + " answers");
            AppWatch.Seen fewest = seen.stream().min(java.util.Comparator.comparingInt(AppWatch.Seen::serving))
                    .orElseThrow();
            AppWatch.Seen most = seen.stream().max(java.util.Comparator.comparingInt(AppWatch.Seen::onNodes))
                    .orElseThrow();
            assertTrue(fewest.serving() >= 3, "fewest serving: " + fewest);
            assertTrue(most.onNodes() <= 4, "most tasks on the nodes: " + most);
        }
    }

    // ---- the apps ---------------------------------------------------------------------------------

    /**
     * The app with Marathon's kind of health check: the first probe comes only 10 s after a task started
     * (failures within 5 s not counted), so for a while a running task's health is not known.
     */
    private static ObjectNode withLateHealthChecks(ObjectNode app) {
        app.putArray("healthChecks").addObject().put("protocol", "HTTP").put("path", "/").put("portIndex", 0)
                .put("delaySeconds", 10).put("gracePeriodSeconds", 5).put("intervalSeconds", 1)
                .put("timeoutSeconds", 1).put("maxConsecutiveFailures", 3);
        return app;
    }

    /**
     * One of the app's small HTTP servers. Its cpus are a hard quota (the agent sets the task's CFS quota):
     * at 0.05 python3 took 3 s to start serving, every time, and a roll waits for each new instance in
     * turn; at 0.25 it takes a fifth of that. Every app of the class still fits the two agents' 8 cpus,
     * rolls' extra instances included.
     */
    private static ObjectNode server(String id, int instances, String version, Map<String, Object> strategy) {
        ObjectNode app = JsonCodec.mapper().createObjectNode();
        app.put("id", id).put("cmd", "exec python3 -c \"$SERVER\"").put("instances", instances)
                .put("cpus", 0.25).put("mem", 48).put("taskKillGracePeriodSeconds", 5);
        app.putObject("env").put("SERVER", SERVER).put("VERSION", version);
        app.putArray("portDefinitions").addObject().put("port", 0).put("name", "http");
        app.putArray("healthChecks").addObject().put("protocol", "HTTP").put("path", "/").put("portIndex", 0)
                .put("gracePeriodSeconds", 20).put("intervalSeconds", 1).put("timeoutSeconds", 1)
                .put("maxConsecutiveFailures", 2).put("delaySeconds", 0);
        if (!strategy.isEmpty()) {
            app.set("upgradeStrategy", JsonCodec.mapper().valueToTree(strategy));
        }
        return app;
    }

    /** Two identities with a local volume; each version appends its name and prints what it found. */
    private static ObjectNode stateful(String id, String version) {
        ObjectNode app = JsonCodec.mapper().createObjectNode();
        app.put("id", id).put("instances", 2).put("cpus", 0.05).put("mem", 32).put("taskKillGracePeriodSeconds", 1)
                .put("cmd", "echo \"seen: $(cat data/versions 2>/dev/null | tr '\\n' ' ')\"; "
                        + "echo $VERSION >> data/versions; sync; echo wrote; exec sleep 600");
        app.putObject("env").put("VERSION", version);
        app.putArray("portDefinitions");
        app.putObject("container").put("type", "MESOS").putArray("volumes").addObject()
                .put("containerPath", "data").put("mode", "RW").putObject("persistent").put("size", 16);
        return app;
    }

    private static void create(ObjectNode app) {
        Http.Response created = Http.postJson(gateway + "/v1/apps", app.toString());
        assertEquals(201, created.status(), created.body());
    }

    private static void put(String id, ObjectNode app) {
        Http.Response updated = Http.putJson(gateway + "/v1/apps" + id, app.toString());
        assertEquals(200, updated.status(), updated.body());
    }

    // ---- what the gateway shows --------------------------------------------------------------------

    private static JsonNode latestDeployment(String app) {
        Http.Response list = Http.get(gateway + "/v1/deployments?app=" + app);
        if (list.status() != 200 || list.json().path("deployments").isEmpty()) {
            return null;
        }
        return list.json().path("deployments").get(0);
    }

    private static final List<String> ENDED = List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED", "SUPERSEDED");

    /** Waits for the app's latest deployment to reach {@code state}; one that ends otherwise fails at once, saying why. */
    private static JsonNode awaitDeployment(String app, String state) {
        return await(app + "'s deployment " + state).atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> latestDeployment(app), d -> {
                    if (d == null) {
                        return false;
                    }
                    String now = d.path("state").asText();
                    if (!now.equals(state) && ENDED.contains(now)) {
                        throw new AssertionError(app + "'s deployment ended " + now + " instead of " + state + ": "
                                + d.path("reason").asText() + lastFailedOutput(d.path("reason").asText()));
                    }
                    return now.equals(state);
                });
    }

    /** The stderr of the task a failure reason names (task ids look like team-a_app.…), if the gateway still has it. */
    private static String lastFailedOutput(String reason) {
        java.util.regex.Matcher task = java.util.regex.Pattern.compile("([a-z0-9-]+_[a-z0-9_-]+\\.[0-9a-f-]+)")
                .matcher(reason);
        if (!task.find()) {
            return "";
        }
        return "\nstderr of " + task.group(1) + ":\n" + Http.get(gateway + "/v1/tasks/" + task.group(1)
                + "/logs?stream=stderr&tail=30").body();
    }

    /** Tasks that should run and are healthy, by the VERSION their app version had. */
    private static Map<String, Integer> healthyByVersion(String app) {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode task : healthyTasks(app)) {
            counts.merge(versionOf(app, task.path("appVersion").asLong()), 1, Integer::sum);
        }
        return counts;
    }

    private static void awaitHealthyVersion(String app, int instances, String version) {
        await(app + ": " + instances + " healthy on " + version).atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> healthyByVersion(app).equals(Map.of(version, instances))
                        && Http.get(gateway + "/v1/apps" + app).json().path("tasks").size() == instances);
    }

    private static List<JsonNode> healthyTasks(String app) {
        List<JsonNode> healthy = new ArrayList<>();
        for (JsonNode task : Http.get(gateway + "/v1/apps" + app).json().path("tasks")) {
            if (task.path("state").asText().equals("HEALTHY") && task.path("desired").asText().equals("RUN")) {
                healthy.add(task);
            }
        }
        return healthy;
    }

    private static final Map<String, String> VERSION_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The VERSION env of an app version, from its kept definition (cached: versions never change). */
    private static String versionOf(String app, long version) {
        return VERSION_NAMES.computeIfAbsent(app + "@" + version, key -> Http.get(gateway + "/v1/apps" + app
                + "/versions/" + version).json().path("env").path("VERSION").asText());
    }

    private static List<String> versions(String app) {
        List<String> versions = new ArrayList<>();
        for (JsonNode task : Http.get(gateway + "/v1/apps" + app).json().path("tasks")) {
            if (task.path("state").asText().equals("RUNNING") && task.path("desired").asText().equals("RUN")) {
                versions.add(versionOf(app, task.path("appVersion").asLong()));
            }
        }
        Collections.sort(versions);
        return versions;
    }

    /** The stdout of each task of the app that should run (old ones on their way out left out). */
    private static List<String> wantedOutputs(String app) {
        List<String> outputs = new ArrayList<>();
        for (JsonNode task : Http.get(gateway + "/v1/apps" + app).json().path("tasks")) {
            if (task.path("desired").asText().equals("RUN")) {
                outputs.add(Http.get(gateway + "/v1/tasks/" + task.path("id").asText() + "/logs").body());
            }
        }
        return outputs;
    }

    private static Map<String, String> identitiesOn(String app) {
        Map<String, String> nodes = new HashMap<>();
        for (JsonNode task : Http.get(gateway + "/v1/apps" + app).json().path("tasks")) {
            if (task.path("desired").asText().equals("RUN")) {
                nodes.put(task.path("identity").asText(), task.path("node").asText());
            }
        }
        return nodes;
    }

    /**
     * Watches an app as a user with {@code watch -n 0.08 curl …} would: {@code GET /v1/apps/{id}} every
     * 80 ms, every answer kept with what it showed. A task serves when it is wanted and RUNNING or
     * HEALTHY (either version; not UNHEALTHY, not being stopped); it is on a node until it has ended,
     * being stopped or not.
     */
    private static final class AppWatch implements AutoCloseable {
        private static final List<String> ENDED_TASK = List.of("KILLED", "FINISHED", "FAILED", "LOST");

        /** One answer: when, how many served, how many tasks were on the nodes, and the tasks themselves. */
        record Seen(java.time.Instant at, int serving, int onNodes, String tasks) {
        }

        private final String app;
        private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "app-watch");
                    t.setDaemon(true);
                    return t;
                });

        AppWatch(String app) {
            this.app = app;
            timer.scheduleWithFixedDelay(this::look, 0, 80, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        private void look() {
            try {
                Http.Response answer = Http.get(gateway + "/v1/apps" + app);
                if (answer.status() != 200) {
                    return;
                }
                int serving = 0;
                int onNodes = 0;
                StringBuilder tasks = new StringBuilder();
                for (JsonNode task : answer.json().path("tasks")) {
                    String state = task.path("state").asText();
                    boolean wanted = task.path("desired").asText().equals("RUN");
                    serving += wanted && (state.equals("RUNNING") || state.equals("HEALTHY")) ? 1 : 0;
                    onNodes += ENDED_TASK.contains(state) ? 0 : 1;
                    tasks.append(' ').append(task.path("id").asText()).append(" v").append(task.path("appVersion")
                            .asText()).append(' ').append(task.path("desired").asText()).append('/').append(state);
                }
                seen.add(new Seen(java.time.Instant.now(), serving, onNodes, tasks.toString()));
            } catch (RuntimeException e) {
                // A slow or refused answer is no observation; the next look comes 80 ms later.
            }
        }

        List<Seen> seen() {
            return List.copyOf(seen);
        }

        void stop() {
            timer.shutdownNow();
        }

        @Override
        public void close() {
            stop();
        }
    }

    /**
     * A client of the app, as a load balancer would be: before each request it reads which instances
     * are healthy and wanted, counts them, and sends the request to the next one. Every request must
     * be answered 200.
     */
    private static final class Poller implements AutoCloseable {
        private final String app;
        private final Thread thread;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger requests = new AtomicInteger();
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final List<String> served = Collections.synchronizedList(new ArrayList<>());
        private volatile int minimumHealthy = Integer.MAX_VALUE;

        Poller(String app) {
            this.app = app;
            this.thread = new Thread(this::run, "poller");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            int next = 0;
            while (running.get()) {
                List<JsonNode> healthy = healthyTasks(app);
                minimumHealthy = Math.min(minimumHealthy, healthy.size());
                if (healthy.isEmpty()) {
                    continue;
                }
                JsonNode task = healthy.get(next++ % healthy.size());
                String url = "http://" + task.path("host").asText() + ":" + task.path("ports").get(0).asInt() + "/";
                try {
                    HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() != 200) {
                        failures.add(url + " answered " + answer.statusCode());
                    } else if (!served.contains(answer.body())) {
                        served.add(answer.body());
                    }
                } catch (IOException e) {
                    failures.add(url + " (" + task.path("id").asText() + "): " + e);
                } catch (InterruptedException e) {
                    return;
                }
                requests.incrementAndGet();
            }
        }

        int requests() {
            return requests.get();
        }

        void awaitRequests(int count) {
            await("requests served").atMost(DEADLINE).until(() -> requests.get() >= count);
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        List<String> versionsServed() {
            return List.copyOf(served);
        }

        int minimumHealthy() {
            return minimumHealthy;
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
