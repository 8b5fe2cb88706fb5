package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router (docs/routing.md) over the real parts: the scheduler deciding routes, a router process
 * with Debian's HAProxy in front, and apps whose three tasks each answer with their own task id (a
 * python3 http.server serving a file with the id). Requests go through the router only; which task
 * answered is the body. Each test is one step on one cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1).agent("rt-node-1", "zone=a");
    private static BerthCluster cluster;
    private static String gateway;
    private static BerthCluster.Router router;

    @BeforeAll
    static void cluster() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, "rt-node-1");
        router = cluster.startRouter("router-1");
    }

    /**
     * An app of {@code instances} tasks answering their task id, routed on {@code labels}, healthy once it
     * serves. Its check probes from the start ({@code delaySeconds} 0, as DeploymentsIT's do): Marathon's
     * default first probe comes 15 s after the start, and every deploy, scale-up, restart and replacement
     * here waited those 15 s for a server that answers within one or two; the grace period covers its
     * start. Its cpus are a hard quota (the agent sets the task's CFS quota): at 0.02 each answer waited
     * for its next slice of cpu too; at 0.15 every app of the class, a restart's three extra included,
     * still fits the agent's 4 cpus.
     */
    private static void deploy(String id, int instances, String labels) {
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "instances": %d, "cpus": 0.15, "mem": 48, "taskKillGracePeriodSeconds": 1,
                 "cmd": "printf %%s \\"$BERTH_TASK_ID\\" > index.html; exec python3 -m http.server $PORT0",
                 "portDefinitions": [{"port": 0, "name": "http"}],
                 "labels": {%s},
                 "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": 30,
                                   "intervalSeconds": 1, "timeoutSeconds": 1, "maxConsecutiveFailures": 2,
                                   "delaySeconds": 0}]}"""
                .formatted(id, instances, labels));
        assertEquals(201, created.status(), created.body());
        awaitHealthy(id, instances);
    }

    private static void awaitHealthy(String id, int instances) {
        await(instances + " healthy tasks of " + id).atMost(DEADLINE).until(() ->
                Http.get(gateway + "/v1/apps" + id).json().path("tasksHealthy").asInt() == instances);
    }

    private static Set<String> healthyTaskIds(String id) {
        Set<String> ids = new HashSet<>();
        for (JsonNode task : Http.get(gateway + "/v1/apps" + id).json().path("tasks")) {
            if ("HEALTHY".equals(task.path("state").asText())) {
                ids.add(task.path("id").asText());
            }
        }
        return ids;
    }

    /** One request through the router; the answer's status and body. */
    private static HttpResponse<String> send(HttpClient client, String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.url() + path)).timeout(Duration.ofSeconds(10));
        headers.forEach(request::header);
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("the router did not answer " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Which task answered: the body of a 200. */
    private static String answered(HttpClient client, String path, Map<String, String> headers) {
        HttpResponse<String> answer = send(client, path, headers);
        assertEquals(200, answer.statusCode(), path + ": " + answer.body());
        return answer.body();
    }

    private static HttpClient plainClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    @Order(10)
    void aPathRouteReachesEveryHealthyTaskAndIsShownActive() {
        deploy("/team-a/echo", 3, "\"BERTH_ROUTE_0_PATH\": \"/team-a/echo\"");
        Set<String> tasks = healthyTaskIds("/team-a/echo");
        HttpClient client = plainClient();

        Set<String> seen = new HashSet<>();
        await("every task answering through the router").atMost(DEADLINE).untilAsserted(() -> {
            seen.add(answered(client, "/team-a/echo/", Map.of()));
            assertEquals(tasks, seen);
        });
        JsonNode route = Http.get(gateway + "/v1/apps/team-a/echo").json().path("routes").path(0);
        assertEquals("ACTIVE", route.path("state").asText(), route.toString());
        assertEquals(404, send(client, "/team-a/nothing-here/", Map.of()).statusCode());
        assertEquals(404, send(client, "/team-a/echoes/", Map.of()).statusCode(), "a prefix is a whole segment");
    }

    @Test
    @Order(20)
    void aSessionStaysOnOneInstanceAndMovesToOneOtherWhenItDies() {
        deploy("/team-a/shop", 3, "\"BERTH_ROUTE_0_PATH\": \"/team-a/shop\", \"BERTH_ROUTE_0_AFFINITY\": \"session\"");
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        await("the route served").atMost(DEADLINE).until(() -> send(browser, "/team-a/shop/", Map.of()).statusCode() == 200);

        Set<String> first = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            first.add(answered(browser, "/team-a/shop/", Map.of()));
        }
        assertEquals(1, first.size(), "100 requests of one session: " + first);
        String holder = first.iterator().next();

        assertEquals(200, Http.post(gateway + "/v1/tasks/" + holder + "/kill").status());
        await("the killed task out of the route").atMost(DEADLINE).until(() ->
                !holder.equals(send(browser, "/team-a/shop/", Map.of()).body()));
        Set<String> after = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            after.add(answered(browser, "/team-a/shop/", Map.of()));
        }
        assertEquals(1, after.size(), "after its instance died the session moved to one other: " + after);
        assertNotEquals(holder, after.iterator().next());
    }

    @Test
    @Order(30)
    void eachTransactionStaysOnOneInstance() {
        deploy("/team-a/bank", 3, "\"BERTH_ROUTE_0_PATH\": \"/team-a/bank\", \"BERTH_ROUTE_0_AFFINITY\": \"transaction\"");
        HttpClient client = plainClient();
        await("the route served").atMost(DEADLINE).until(() -> send(client, "/team-a/bank/", Map.of()).statusCode() == 200);

        Map<String, Set<String>> byTransaction = new HashMap<>();
        for (int round = 0; round < 5; round++) {
            for (int t = 0; t < 20; t++) {
                String transaction = "tx-" + t;
                byTransaction.computeIfAbsent(transaction, k -> new HashSet<>())
                        .add(answered(client, "/team-a/bank/", Map.of("X-Transaction-Id", transaction)));
            }
        }
        byTransaction.forEach((transaction, tasks) -> assertEquals(1, tasks.size(), transaction + " went to " + tasks));
        Set<String> used = new HashSet<>();
        byTransaction.values().forEach(used::addAll);
        assertTrue(used.size() > 1, "20 transactions spread over the instances: " + used);
    }

    @Test
    @Order(40)
    void aKeyStaysOnItsInstanceAndScalingUpMovesOnlyTheNewInstancesShare() {
        deploy("/team-a/tenants", 3, "\"BERTH_ROUTE_0_PATH\": \"/team-a/tenants\", \"BERTH_ROUTE_0_AFFINITY\": \"server\", "
                + "\"BERTH_ROUTE_0_AFFINITY_HEADER\": \"X-Tenant\"");
        HttpClient client = plainClient();
        await("the route served").atMost(DEADLINE).until(() -> send(client, "/team-a/tenants/", Map.of()).statusCode() == 200);
        Map<String, String> before = owners(client);
        Set<String> old = healthyTaskIds("/team-a/tenants");

        assertEquals(200, Http.patchJson(gateway + "/v1/apps/team-a/tenants", "{\"instances\": 4}").status());
        awaitHealthy("/team-a/tenants", 4);
        Set<String> added = new HashSet<>(healthyTaskIds("/team-a/tenants"));
        added.removeAll(old);
        await("the new instance serving its keys").atMost(DEADLINE).until(() -> owners(client).containsValue(
                added.iterator().next()));
        Map<String, String> after = owners(client);

        List<String> moved = new ArrayList<>();
        before.forEach((key, owner) -> {
            if (!owner.equals(after.get(key))) {
                moved.add(key);
                assertTrue(added.contains(after.get(key)), key + " moved from one old instance to another: "
                        + owner + " -> " + after.get(key));
            }
        });
        assertTrue(moved.size() >= 20 && moved.size() <= 80, "about a quarter of 200 keys moved: " + moved.size());
    }

    /** Which instance answers each of 200 tenants. */
    private static Map<String, String> owners(HttpClient client) {
        Map<String, String> owners = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            owners.put("tenant-" + i, answered(client, "/team-a/tenants/", Map.of("X-Tenant", "tenant-" + i)));
        }
        return owners;
    }

    /**
     * A client sending up to 200 requests a second through the router while {@code change} happens (one
     * at a time: on a busy machine fewer), and what it saw: every answer's status, and every failure to
     * get one.
     */
    private static final class SteadyClient implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService pace = java.util.concurrent.Executors.newScheduledThreadPool(8);
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();

        SteadyClient(String path) {
            pace.scheduleAtFixedRate(() -> {
                try {
                    HttpResponse<String> answer = send(client, path, Map.of());
                    if (answer.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else {
                        failed.add(answer.statusCode() + " " + answer.body().strip());
                    }
                } catch (AssertionError e) {
                    failed.add(String.valueOf(e.getMessage()));
                }
            }, 0, 5, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        private int lastLook;

        /** Asserts the client was answered while {@code phase} happened: it kept asking throughout. */
        void answeredSinceLastLook(String phase) {
            int now = ok.get();
            assertTrue(now > lastLook, "the client was answered during " + phase + " (" + now + " answers so far)");
            lastLook = now;
        }

        @Override
        public void close() throws InterruptedException {
            pace.shutdown();
            pace.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(45)
    void aClientAt200RequestsASecondSeesNoFailureThroughARestartAScaleDownAndAKill() throws Exception {
        String app = "/team-a/steady";
        deploy(app, 3, "\"BERTH_ROUTE_0_PATH\": \"/team-a/steady\", \"BERTH_ROUTE_DRAIN_SECONDS\": \"3\"");
        await("the route served").atMost(DEADLINE).until(() -> send(plainClient(), "/team-a/steady/", Map.of()).statusCode() == 200);
        Set<String> before = healthyTaskIds(app);

        SteadyClient steady = new SteadyClient("/team-a/steady/");
        try {
            // A rolling restart: every task replaced; each old one drained before its SIGTERM
            assertEquals(200, Http.post(gateway + "/v1/apps" + app + "/restart").status());
            await("every task replaced").atMost(DEADLINE).until(() -> {
                JsonNode now = Http.get(gateway + "/v1/apps" + app).json();
                Set<String> ids = new HashSet<>();
                now.path("tasks").forEach(t -> ids.add(t.path("id").asText()));
                return now.path("tasksHealthy").asInt() == 3 && ids.size() == 3 && ids.stream().noneMatch(before::contains);
            });
            steady.answeredSinceLastLook("the rolling restart");
            // A scale-down: the task that goes is drained first
            assertEquals(200, Http.patchJson(gateway + "/v1/apps" + app, "{\"instances\": 2}").status());
            JsonNode drained = await("a task draining, its drain visible").atMost(DEADLINE).until(() -> {
                for (JsonNode t : Http.get(gateway + "/v1/apps" + app).json().path("tasks")) {
                    if (t.hasNonNull("drainUntil")) {
                        return t;
                    }
                }
                return null;
            }, java.util.Objects::nonNull);
            assertEquals("STOP", drained.path("desired").asText(), drained.toString());
            await("scaled to 2").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + app).json().path("tasks").size() == 2);
            steady.answeredSinceLastLook("the scale-down");
            // A kill -9 without warning: the router retries the requests that hit it on the other instance
            String victim = healthyTaskIds(app).iterator().next();
            long pid = -1;
            for (JsonNode task : cluster.agentTasks("rt-node-1")) {
                if (victim.equals(task.path("taskId").asText())) {
                    pid = task.path("pid").asLong();
                }
            }
            assertTrue(pid > 0, "the agent shows the task's process: " + cluster.agentTasks("rt-node-1"));
            assertEquals(0, new ProcessBuilder("kill", "-9", "--", "-" + pid).inheritIO().start().waitFor(),
                    "kill -9 of the task's process group");
            await("the killed task replaced").atMost(DEADLINE).until(() -> !healthyTaskIds(app).contains(victim)
                    && healthyTaskIds(app).size() == 2);
            steady.answeredSinceLastLook("the kill -9 and the replacement");
        } finally {
            steady.close();
        }
        assertEquals(List.of(), steady.failed, steady.ok.get() + " answered, failed: " + steady.failed);
    }

    @Test
    @Order(50)
    void aClaimOfAnotherTeamsPathIsRefusedAndNotServed() {
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "/team-b/thief", "instances": 1, "cpus": 0.02, "mem": 32, "cmd": "sleep 600",
                 "portDefinitions": [{"port": 0}], "labels": {"BERTH_ROUTE_0_PATH": "/team-a/echo"}}""");
        assertEquals(201, created.status(), created.body());

        JsonNode route = await("the claim decided").atMost(DEADLINE).until(() ->
                Http.get(gateway + "/v1/apps/team-b/thief").json().path("routes").path(0), r -> !r.isMissingNode());
        assertEquals("REFUSED", route.path("state").asText(), route.toString());
        assertTrue(route.path("reason").asText().contains("outside team team-b"), route.toString());
        assertTrue(healthyTaskIds("/team-a/echo").contains(answered(plainClient(), "/team-a/echo/", Map.of())),
                "the path still reaches its owner");
        Http.Response bad = Http.postJson(gateway + "/v1/apps", """
                {"id": "/team-a/bad", "cmd": "sleep 600", "portDefinitions": [{"port": 0}],
                 "labels": {"BERTH_ROUTE_0_AFFINITY": "sticky", "BERTH_ROUTE_0_PATH": "/team-a/bad"}}""");
        assertEquals(422, bad.status(), bad.body());
        assertTrue(bad.body().contains("labels.BERTH_ROUTE_0_AFFINITY"), bad.body());
    }
}
