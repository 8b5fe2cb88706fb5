package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task of team b tries to get at team a's data, at the node and at Berth itself, and fails at each,
 * while its own legitimate work goes on (issue 13). Over the whole stack: the gateway, a scheduler, the
 * volume service and an agent as processes, the agent as root giving each task its own root.
 *
 * <p>Each attempt is one line of the hostile task's own output, {@code blocked <what>} or
 * {@code LEAKED <what>}, read back through the gateway's logs endpoint; the test asserts every attempt
 * by name, so an attempt that silently stopped running would fail it too.
 */
class HostileTasksIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String NODE = "hostile-node-1";
    private static final String SECRET = "team-a-secret";

    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService().agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void assumeNamespaces() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.assumeNamespaces("HostileTasksIT", NODE);
        // (An agent that can make namespaces is root, and then gives every task its own root.)
    }

    @Test
    void aTaskOfAnotherTeamReachesNoneOfTeamAsDataNorTheNodeNorBerthAndStillDoesItsOwnWork() throws Exception {
        // Given team a's database: its secret in its sandbox, its local volume and its external volume
        create("""
                {"id": "/team-a/vault", "cmd": "for d in . data shared; do echo %s > $d/secret; done; exec sleep 600",
                 "cpus": 0.05, "mem": 32, "portDefinitions": [],
                 "container": {"type": "MESOS", "volumes": [
                   {"containerPath": "data", "mode": "RW", "persistent": {"size": 16}},
                   {"containerPath": "shared", "mode": "RW", "external": {"name": "vault-shared", "size": 16}}]}}"""
                .formatted(SECRET));
        Path workDir = cluster.agentWorkDir(NODE).toAbsolutePath();
        List<Path> secrets = await("team a's three secrets written").atMost(DEADLINE)
                .until(() -> secretsUnder(workDir, cluster.sharedVolumeRoot()), found -> found.size() == 3);
        String agentPid = Long.toString(cluster.agent(NODE).pid());
        Path checkout = Path.of("..").toAbsolutePath().normalize();

        // When team b's task tries everything it can think of, then serves on its port as it should
        ObjectNode snoop = JsonCodec.mapper().createObjectNode();
        snoop.put("id", "/team-b/snoop").put("cpus", 0.1).put("mem", 64).put("cmd", SNOOP);
        snoop.putArray("portDefinitions").addObject().put("port", 0);
        snoop.putObject("container").put("type", "MESOS").putArray("volumes").addObject()
                .put("containerPath", "data").put("mode", "RW").putObject("persistent").put("size", 16);
        ObjectNode env = snoop.putObject("env");
        env.put("SECRETS", String.join(" ", secrets.stream().map(Path::toString).toList()));
        env.put("AGENT_WORK", workDir.toString());
        env.put("AGENT_PID", agentPid);
        env.put("CHECKOUT", checkout.toString());
        create(snoop.toString());
        JsonNode task = await("team b's task serving").atMost(DEADLINE).until(() -> runningTask("/team-b/snoop"),
                t -> t.has("id") && logs(t.path("id").asText()).contains("done trying"));
        List<String> out = logs(task.path("id").asText()).lines().toList();

        // Then every attempt was blocked, each by name
        List<String> expected = new ArrayList<>();
        for (Path secret : secrets) {
            for (String how : List.of("by path", "through /proc/1/root", "through ..", "by symlink",
                    "through its volume's parent")) {
                expected.add("blocked read " + secret + " " + how);
            }
        }
        expected.addAll(List.of("blocked read /etc/shadow", "blocked read /etc/gshadow",
                "blocked list the agent's work dir", "blocked read the agent's checkpoints",
                "blocked read the checkout", "blocked see Keycloak's files", "blocked see /work",
                "blocked write /", "blocked write /usr", "blocked write /etc", "blocked write the checkout",
                "blocked write the agent's work dir", "blocked write /proc/sys",
                "blocked become root with su", "blocked become root in a user namespace",
                "blocked mount", "blocked chown a file to root", "blocked see the agent's process",
                "blocked signal the agent", "blocked signal its own init", "blocked change the hostname"));
        List<String> attempts = out.stream().filter(l -> l.startsWith("blocked ") || l.startsWith("LEAKED ")).toList();
        assertEquals(expected, attempts, String.join("\n", out));
        // It sees only its own processes: its init, its shell, and what the shell runs
        int processes = Integer.parseInt(line(out, "processes ").substring("processes ".length()));
        assertTrue(processes <= 5, "saw " + processes + " processes:\n" + String.join("\n", out));
        // And its legitimate work went on: it runs as nobody, wrote its volume, resolved localhost
        assertEquals("uid 65534", line(out, "uid "));
        assertTrue(out.contains("wrote its volume"), String.join("\n", out));
        assertTrue(out.contains("resolved localhost"), String.join("\n", out));
        // ... serves on its port ...
        String url = "http://" + task.path("host").asText() + ":" + task.path("ports").get(0).asInt() + "/";
        assertEquals(200, await("its port answers").atMost(DEADLINE).until(() -> status(url), s -> s == 200));
        // ... and team a's data is untouched
        for (Path secret : secrets) {
            assertEquals(SECRET + "\n", Files.readString(secret));
        }
        assertTrue(Files.notExists(checkout.resolve("owned")) && Files.notExists(workDir.resolve("owned")));
        delete("/team-b/snoop");
        delete("/team-a/vault");
    }

    @Test
    void rootIsForAdministratorsOnlyAndWaitsWhereTheNodeDoesNotAllowIt() {
        // Given the node, which gives each task its own root and allows only nobody (its default)
        JsonNode confinement = Http.get(gateway + "/v1/nodes/" + NODE).json().path("confinement");
        assertEquals("own-root", confinement.path("filesystem").asText(), confinement.toString());
        assertEquals("nobody", confinement.path("defaultUser").asText(), confinement.toString());

        // When an operator of team a asks for root, the gateway refuses it
        String rooted = """
                {"id": "/team-a/rooted", "cmd": "id -u; exec sleep 600", "user": "root", "cpus": 0.05, "mem": 32,
                 "portDefinitions": []}""";
        assertEquals(403, Http.as(SharedKeycloak.User.OTTO).postJson(gateway + "/v1/apps", rooted).status());

        // And an administrator's app as root is accepted, but waits, saying why
        create(rooted);
        await("the rooted app waits for a node that allows root").atMost(DEADLINE).until(() -> {
            for (JsonNode entry : Http.get(gateway + "/v1/queue").json().path("queue")) {
                if (entry.path("appId").asText().equals("/team-a/rooted")) {
                    return entry.path("unplaced").path("user root not allowed").asInt() == 1;
                }
            }
            return false;
        });
        assertEquals(0, Http.get(gateway + "/v1/apps/team-a/rooted").json().path("tasks").size());
        delete("/team-a/rooted");
    }

    @Test
    void aForkBombIsHeldByItsPidsLimitAndTheNodeGoesOnLaunching() {
        // Given a task that forks for ever (bash retries a failed fork, where dash would give up)
        create("""
                {"id": "/team-b/bomb", "cmd": "exec bash -c 'while :; do sleep 600 & done'", "cpus": 0.1, "mem": 64,
                 "portDefinitions": [], "isolation": {"pidsLimit": 32}, "taskKillGracePeriodSeconds": 1}""");
        await("the bomb running").atMost(DEADLINE).until(() -> runningTask("/team-b/bomb"), t -> t.has("id"));

        // Then the node still starts another team's task, which does its work
        create("""
                {"id": "/team-a/after-bomb", "cmd": "echo still launching; exec sleep 600", "cpus": 0.05, "mem": 32,
                 "portDefinitions": []}""");
        JsonNode after = await("a task started next to the bomb").atMost(DEADLINE)
                .until(() -> runningTask("/team-a/after-bomb"), t -> t.has("id")
                        && logs(t.path("id").asText()).contains("still launching"));
        assertTrue(after.has("id"));
        delete("/team-b/bomb");
        delete("/team-a/after-bomb");
    }

    @Test
    void marathonAppsThatRanBeforeStillRunRedisFromTheDebianPackageAmongThem() throws Exception {
        Path redis = Path.of("/usr/bin/redis-server");
        Assumptions.assumeTrue(Files.isExecutable(redis), "SKIPPED: no redis-server (.ci/run installs it)");
        create("""
                {"id": "/team-a/redis", "cmd": "exec redis-server --port $PORT0 --save '' --appendonly no --dir .",
                 "cpus": 0.1, "mem": 64, "portDefinitions": [{"port": 0, "name": "redis"}],
                 "healthChecks": [{"protocol": "TCP", "portIndex": 0, "gracePeriodSeconds": 30, "intervalSeconds": 2,
                                   "timeoutSeconds": 1}]}""");
        create("""
                {"id": "/team-a/loop", "cmd": "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done",
                 "cpus": 0.05, "mem": 32, "portDefinitions": []}""");
        JsonNode task = await("redis healthy").atMost(DEADLINE).until(() -> taskIn("/team-a/redis", "HEALTHY"),
                t -> t.has("id"));
        Process ping = new ProcessBuilder("redis-cli", "-h", task.path("host").asText(), "-p",
                task.path("ports").get(0).asText(), "ping").redirectErrorStream(true).start();
        assertEquals("PONG", new String(ping.getInputStream().readAllBytes()).trim());
        JsonNode loop = await("the loop ticking").atMost(DEADLINE).until(() -> runningTask("/team-a/loop"),
                t -> t.has("id") && logs(t.path("id").asText()).contains("tick 3"));
        assertTrue(loop.has("id"));
        delete("/team-a/redis");
        delete("/team-a/loop");
    }

    /**
     * The hostile task: each attempt prints {@code blocked <what>} when it failed and {@code LEAKED <what>}
     * when it worked; then its own work, then it serves on its port (python3 -m http.server, as before).
     */
    private static final String SNOOP = String.join("\n",
            "try() { what=$1; shift; if \"$@\" >/dev/null 2>&1; then echo \"LEAKED $what\"; else echo \"blocked $what\"; fi; }",
            "for f in $SECRETS; do",
            "  try \"read $f by path\" cat \"$f\"",
            "  try \"read $f through /proc/1/root\" cat \"/proc/1/root$f\"",
            "  try \"read $f through ..\" cat \"/mnt/mesos/sandbox/../../../..$f\"",
            "  ln -sf \"$f\" sneaky; try \"read $f by symlink\" cat sneaky",
            "  try \"read $f through its volume's parent\" cat \"data/../../../../..$f\"",
            "done",
            "try 'read /etc/shadow' cat /etc/shadow",
            "try 'read /etc/gshadow' cat /etc/gshadow",
            "try \"list the agent's work dir\" ls \"$AGENT_WORK\"",
            "try \"read the agent's checkpoints\" sh -c \"cat $AGENT_WORK/tasks/*.json\"",
            "try 'read the checkout' cat \"$CHECKOUT/pom.xml\"",
            "try \"see Keycloak's files\" sh -c 'ls -d /tmp/berth-keycloak-*'",
            "try 'see /work' ls /work",
            "try 'write /' sh -c 'echo x > /owned'",
            "try 'write /usr' sh -c 'echo x > /usr/owned'",
            "try 'write /etc' sh -c 'echo x > /etc/owned'",
            "try 'write the checkout' sh -c \"echo x > $CHECKOUT/owned\"",
            "try \"write the agent's work dir\" sh -c \"echo x > $AGENT_WORK/owned\"",
            "try 'write /proc/sys' sh -c 'echo 1 > /proc/sys/kernel/sysrq'",
            "try 'become root with su' su -c true root",
            "try 'become root in a user namespace' unshare -Ur true",
            "try 'mount' mount -t tmpfs none /tmp",
            "try 'chown a file to root' sh -c 'echo x > mine && chown root mine'",
            "try \"see the agent's process\" kill -0 \"$AGENT_PID\"",
            "try 'signal the agent' kill -TERM \"$AGENT_PID\"",
            "try 'signal its own init' kill -TERM 1",
            "try 'change the hostname' hostname evil",
            "echo \"processes $(ls -d /proc/[0-9]* | wc -l)\"",
            "echo \"uid $(id -u)\"",
            "echo mine > data/mine && echo 'wrote its volume'",
            "getent hosts localhost >/dev/null && echo 'resolved localhost'",
            "echo 'done trying'",
            "exec python3 -m http.server $PORT0");

    /** Files named {@code secret} under the agent's sandboxes and volumes and the shared volumes. */
    private static List<Path> secretsUnder(Path workDir, Path shared) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path root : List.of(workDir.resolve("sandboxes"), workDir.resolve("volumes"), shared)) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.getFileName().toString().equals("secret") && Files.isRegularFile(p))
                        .filter(p -> p.toString().contains("vault"))
                        .forEach(found::add);
            }
        }
        found.sort(null);
        return found;
    }

    private static void create(String json) {
        Http.Response created = Http.postJson(gateway + "/v1/apps", json);
        assertEquals(201, created.status(), created.body());
    }

    private static void delete(String appId) {
        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId + "?wipe=true").status());
        await(appId + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
    }

    private static JsonNode runningTask(String appId) {
        JsonNode running = taskIn(appId, "RUNNING");
        return running.has("id") ? running : taskIn(appId, "HEALTHY");
    }

    /** The app's first task in {@code state}, as the gateway shows it; an empty node while there is none. */
    private static JsonNode taskIn(String appId, String state) {
        Http.Response response = Http.get(gateway + "/v1/apps" + appId);
        if (response.status() == 200) {
            for (JsonNode task : response.json().path("tasks")) {
                if (task.path("state").asText().equals(state)) {
                    return task;
                }
            }
        }
        return JsonCodec.mapper().createObjectNode();
    }

    private static String logs(String taskId) {
        Http.Response response = Http.get(gateway + "/v1/tasks/" + taskId + "/logs?tail=1000");
        return response.status() == 200 ? response.body() : "";
    }

    private static String line(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "…' in\n" + String.join("\n", out)));
    }

    private static int status(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
