package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.system.SharedKeycloak.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The services' own doors over the real parts: the packaged scheduler, volume service, gateway and an
 * agent, and the real Keycloak with Berth's realm. Every endpoint of every service but health answers
 * a Berth service identity (a service account with the realm role berth-service) and nobody else —
 * not a caller without a token, not a person (an administrator neither), not a team's pipeline; and a
 * task on the node, which reaches every port there, gets nothing from them, while its own output still
 * comes through the gateway (which presents its own service identity to the agent).
 */
class ServiceDoorsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String NODE = "doors-node-1";
    private static final String PROBER = "/team-a/prober";
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService().agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static String gateway;
    private static String taskId;

    /**
     * What a task runs to knock on its node's doors without credentials: one request per line of
     * {@code TARGETS} ("METHOD URL", comma-separated; {@code {task}} is its own task id), each answered
     * status printed as {@code probe STATUS METHOD URL}.
     */
    private static final String PROBE = """
            import os, urllib.request, urllib.error
            for target in os.environ["TARGETS"].split(","):
                method, url = target.split(" ", 1)
                url = url.replace("{task}", os.environ["BERTH_TASK_ID"])
                try:
                    status = urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5).status
                except urllib.error.HTTPError as e:
                    status = e.code
                except Exception as e:
                    status = "unreachable:" + type(e).__name__
                print("probe", status, method, url, flush=True)
            print("probes done", flush=True)
            """;

    @BeforeAll
    static void startProber() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE);
        // A team's task that probes the services of its node, then stays (so its log stays at hand).
        ObjectNode app = JsonCodec.mapper().createObjectNode();
        app.put("id", PROBER).put("cmd", "python3 -c \"$PROBE\"; exec sleep 600").put("instances", 1)
                .put("cpus", 0.05).put("mem", 64).put("taskKillGracePeriodSeconds", 1);
        app.putArray("portDefinitions");
        app.putObject("env").put("PROBE", PROBE).put("TARGETS", String.join(",", targets("{task}").stream()
                .map(t -> t.method() + " " + t.url()).toList()));
        Http.Response created = Http.as(User.OTTO).postJson(gateway + "/v1/apps", app.toString());
        assertEquals(201, created.status(), created.body());
        await(PROBER + " running").atMost(DEADLINE).until(() -> cluster.running(PROBER).size() == 1);
        taskId = cluster.running(PROBER).keySet().iterator().next();
    }

    /** A request to one of a service's own endpoints. */
    private record Target(String service, String method, String url) {
        @Override
        public String toString() {
            return service + ": " + method + " " + url;
        }
    }

    /**
     * Every endpoint of every internal service, and paths they do not serve (closed all the same);
     * {@code task} is the task id in the agent's log path.
     */
    private static List<Target> targets(String task) {
        String agent = cluster.agent(NODE).url();
        String volumes = cluster.volumes().url();
        String scheduler = cluster.scheduler().url();
        List<Target> targets = new ArrayList<>();
        for (String path : List.of("/v1/agent/tasks", "/v1/agent/tasks/" + task + "/logs",
                "/v1/agent/tasks/" + task + "/logs?stream=stderr&follow=false", "/q/openapi")) {
            targets.add(new Target("agent", "GET", agent + path));
        }
        for (String path : List.of("/v1/volumes", "/volumes", "/v1/volumes?app=" + PROBER, "/v1/volumes/no-such-0",
                "/volumes/no-such-0", "/v1/volumes/no-such-0/history", "/volumes/no-such-0/history", "/q/openapi")) {
            targets.add(new Target("volume service", "GET", volumes + path));
        }
        targets.add(new Target("volume service", "DELETE", volumes + "/v1/volumes/no-such-0"));
        targets.add(new Target("volume service", "DELETE", volumes + "/volumes/no-such-0"));
        targets.add(new Target("scheduler", "GET", scheduler + "/scheduler/role"));
        targets.add(new Target("scheduler", "GET", scheduler + "/q/openapi"));
        return targets;
    }

    @Test
    void withoutCredentialsEveryServiceEndpointIsRefusedWithAProblem() {
        for (Target target : targets(taskId)) {
            Http.Response answer = send(Http.anonymous(), target);
            assertEquals(401, answer.status(), target + ": " + answer.body());
            assertTrue(answer.contentType().startsWith("application/problem+json"), target + ": " + answer.contentType());
            assertEquals("Bearer", answer.header("WWW-Authenticate"), target.toString());
            assertTrue(answer.json().path("detail").asText().contains("berth-service"), target + ": " + answer.body());
        }
    }

    @Test
    void peoplesAndPipelinesTokensAreRefusedEvenAnAdministrators() {
        for (User user : List.of(User.ADA, User.OTTO, User.CI_TEAM_A)) {
            for (Target target : targets(taskId)) {
                Http.Response answer = send(Http.as(user), target);
                assertEquals(403, answer.status(), user + " → " + target + ": " + answer.body());
                assertTrue(answer.contentType().startsWith("application/problem+json"), target.toString());
            }
        }
    }

    @Test
    void aTokenWhoseClaimsWereEditedIsRefused() {
        // ada's real token, her roles edited to claim berth-service: the signature no longer holds.
        String[] parts = SharedKeycloak.token(User.ADA).split("\\.");
        ObjectNode claims = (ObjectNode) SharedKeycloak.claims(SharedKeycloak.token(User.ADA));
        claims.putObject("realm_access").putArray("roles").add("berth-service");
        String edited = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        for (Target target : targets(taskId)) {
            Http.Response answer = send(Http.as(() -> edited), target);
            assertEquals(401, answer.status(), target + ": " + answer.body());
            assertTrue(answer.header("WWW-Authenticate").contains("invalid_token"), target.toString());
        }
    }

    @Test
    void aBerthServiceIdentityIsAnsweredByEveryService() {
        // The operators' client and the gateway's own service account both hold berth-service.
        for (User service : List.of(User.OPS, User.GATEWAY)) {
            JsonNode claims = SharedKeycloak.claims(SharedKeycloak.token(service));
            assertTrue(claims.path("realm_access").path("roles").toString().contains("berth-service"), claims.toString());
            Http.Caller caller = Http.as(service);
            String agent = cluster.agent(NODE).url();
            String volumes = cluster.volumes().url();

            Http.Response tasks = caller.get(agent + "/v1/agent/tasks");
            assertEquals(200, tasks.status(), tasks.body());
            assertTrue(tasks.body().contains(taskId), tasks.body());
            Http.Response log = caller.get(agent + "/v1/agent/tasks/" + taskId + "/logs");
            assertEquals(200, log.status(), log.body());
            for (String path : List.of("/v1/volumes", "/volumes", "/v1/volumes?app=" + PROBER)) {
                assertEquals(200, caller.get(volumes + path).status(), service + " " + path);
            }
            // Through the door, the volume service itself answers: no such volume.
            for (String path : List.of("/v1/volumes/no-such-0", "/volumes/no-such-0/history")) {
                Http.Response none = caller.get(volumes + path);
                assertEquals(404, none.status(), path + ": " + none.body());
                assertTrue(none.json().path("detail").asText().contains("no volume"), none.body());
            }
            assertEquals(404, caller.delete(volumes + "/v1/volumes/no-such-0").status());
            Http.Response role = caller.get(cluster.scheduler().url() + "/scheduler/role");
            assertEquals(200, role.status(), role.body());
            assertEquals("active", role.json().path("role").asText());
        }
        // Health and the Prometheus metrics stay open to anyone.
        for (ServiceProcess service : List.of(cluster.agent(NODE), cluster.volumes(), cluster.scheduler())) {
            assertEquals(200, Http.anonymous().get(service.url() + "/q/health/ready").status(), service.toString());
            assertEquals(200, Http.anonymous().get(service.url() + "/q/metrics").status(), service.toString());
        }
    }

    @Test
    void aServiceIdentityIsNobodyAtTheGateway() {
        // berth-service is not one of the gateway's roles: the service accounts cannot act as people.
        for (User service : List.of(User.OPS, User.GATEWAY)) {
            Http.Response apps = Http.as(service).get(gateway + "/v1/apps");
            assertEquals(403, apps.status(), service + ": " + apps.body());
        }
        // And no person holds berth-service.
        for (User person : List.of(User.ADA, User.OTTO, User.VERA)) {
            JsonNode claims = SharedKeycloak.claims(SharedKeycloak.token(person));
            assertFalse(claims.path("realm_access").path("roles").toString().contains("berth-service"), claims.toString());
        }
    }

    @Test
    void aTaskReachesItsNodesServicesButIsRefusedByEveryOneAndItsLogStillComesThroughTheGateway() {
        // The task's probes, read through the gateway: the gateway fetches them from the agent with
        // its own service identity, on behalf of otto, whose team the task is.
        String log = await("the task's probes in its log").atMost(DEADLINE).until(
                () -> Http.as(User.OTTO).get(gateway + "/v1/tasks/" + taskId + "/logs?tail=1000"),
                r -> r.status() == 200 && r.body().contains("probes done")).body();

        List<String> probes = log.lines().filter(line -> line.startsWith("probe ")).toList();
        List<Target> targets = targets(taskId);
        assertEquals(targets.size(), probes.size(), log);
        for (String probe : probes) {
            String[] parts = probe.split(" ", 4);
            assertEquals("401", parts[1], "reached and refused without credentials: " + probe);
        }
        // Every one was reached (none unreachable), so the refusals are the doors', not the network's.
        assertFalse(log.contains("unreachable"), log);

        // And another team still gets nothing of it through the gateway.
        Http.Response vera = Http.as(User.VERA).get(gateway + "/v1/tasks/" + taskId + "/logs");
        assertEquals(404, vera.status(), vera.body());
    }

    private static Http.Response send(Http.Caller caller, Target target) {
        return target.method().equals("DELETE") ? caller.delete(target.url()) : caller.get(target.url());
    }
}
