package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testkit.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A bridged app over the whole stack (gateway, scheduler, agent as processes, real broker and Keycloak):
 * posted in Marathon's shape, placed with a host port from the node's range mapped to its container port,
 * health-checked by the agent over HTTP through that host port, and reachable there as the gateway shows
 * it. The agent gets a bridge and subnet of this run's own, removed at the end.
 */
@EnabledIf(value = "canBridge", disabledReason = "SKIPPED: bridging needs root, ip (iproute2) and nft (nftables)")
class BridgeNetworkIT {
    private static final String NODE = "net-node-1";
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final long PID = ProcessHandle.current().pid();
    private static final String BRIDGE = "bit" + PID % 1_000_000;
    private static final String SUBNET = "10.213." + (64 + PID % 60) + ".0/24";

    // A node timeout longer than an agent restart on a busy machine: the restart test's task must be
    // adopted, not taken for lost and replaced.
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1)
            .schedulerEnv("BERTH_SCHEDULER_NODE_TIMEOUT", "20s")
            .agent(NODE, "zone=a", Map.of("BERTH_AGENT_BRIDGE_NAME", BRIDGE, "BERTH_AGENT_BRIDGE_SUBNET", SUBNET));
    private static BerthCluster cluster;
    private static String gateway;

    /** Whether this machine can bridge at all: asked before the cluster starts (an agent that cannot would fail to). */
    static boolean canBridge() {
        if (!"root".equals(System.getProperty("user.name"))) {
            System.out.println("BridgeNetworkIT SKIPPED: bridging needs root");
            return false;
        }
        if (!(tool("ip") && tool("nft"))) {
            System.out.println("BridgeNetworkIT SKIPPED: bridging needs ip (iproute2) and nft (nftables)");
            return false;
        }
        return true;
    }

    @BeforeAll
    static void assumeNamespaces() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.assumeNamespaces("BridgeNetworkIT", NODE);
    }

    @AfterAll
    static void removeBridge() throws Exception {
        // The cluster closed first, here rather than after this method (the extension's close then does
        // nothing): its agent must be gone before its bridge is taken away.
        if (cluster != null) {
            cluster.close();
        }
        // Agents leave their bridge (bridged tasks outlive them); this run's goes with the run, with the
        // namespace of any task the cluster's close killed behind its agent's back (its veth goes with it).
        try (var namespaces = Files.list(Path.of("/run/netns"))) {
            for (Path ns : namespaces.filter(p -> p.getFileName().toString().startsWith("berth-" + BRIDGE + "."))
                    .toList()) {
                run("ip", "netns", "del", ns.getFileName().toString());
            }
        } catch (IOException e) {
            System.out.println("BridgeNetworkIT: cannot list /run/netns: " + e);
        }
        run("nft", "delete", "table", "ip", "berth-" + BRIDGE);
        run("ip", "link", "del", "dev", BRIDGE);
        Files.deleteIfExists(Path.of("/run/berth/bridges", BRIDGE));
    }

    @Test
    void aBridgedAppBecomesHealthyAndAnswersOnTheHostPortTheGatewayShows() {
        // Given the node says it bridges tasks
        JsonNode node = await(NODE + " listed").atMost(DEADLINE)
                .until(() -> Http.get(gateway + "/v1/nodes/" + NODE), r -> r.status() == 200).json();
        assertEquals("true", node.path("attributes").path("bridge").asText(), node.toString());

        // When a Marathon app on a bridge network maps a host port to 8080, with an HTTP health check on it
        String appId = "/net/web";
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "echo bridged > hello; exec python3 -m http.server 8080",
                 "cpus": 0.1, "mem": 64,
                 "networks": [{"mode": "container/bridge"}],
                 "container": {"type": "MESOS", "portMappings": [
                   {"containerPort": 8080, "hostPort": 0, "protocol": "tcp", "name": "http"}]},
                 "healthChecks": [{"protocol": "HTTP", "path": "/hello", "portIndex": 0,
                   "gracePeriodSeconds": 30, "intervalSeconds": 1, "timeoutSeconds": 1, "delaySeconds": 0}]}"""
                .formatted(appId));
        assertEquals(201, created.status(), created.body());

        // Then its task becomes HEALTHY, with a host port from the node's range mapped to 8080
        JsonNode task = await("a healthy task of " + appId).atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> healthyTask(appId), t -> t != null);
        JsonNode port = task.path("portAssignments").get(0);
        int hostPort = port.path("port").asInt();
        assertEquals(8080, port.path("containerPort").asInt(), task.toString());
        assertEquals("http", port.path("name").asText(), task.toString());
        assertEquals(hostPort, task.path("ports").get(0).asInt());
        FreePorts.PortRange range = cluster.taskPorts(NODE);
        assertEquals(true, hostPort >= range.first() && hostPort <= range.last(), "from the node's range "
                + range + ": " + hostPort);

        // And it answers there, on the host the gateway shows
        String url = "http://" + task.path("host").asText() + ":" + hostPort + "/hello";
        assertEquals(200, Http.get(url).status());
        assertEquals("bridged", Http.get(url).body().trim());

        // When it is deleted, the port no longer answers
        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        await(appId + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
        await("the host port forward removed").atMost(DEADLINE).until(() -> !Http.answers(url));
        assertFalse(Http.answers(url));
    }

    @Test
    void aBridgedTaskOutlivesItsAgentAndItsHostPortAnswersOnAfterTheRestart() {
        // Given a bridged task answering on its host port
        String appId = "/net/kept";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "echo kept > hello; exec python3 -m http.server 8080", "cpus": 0.1, "mem": 64,
                 "networks": [{"mode": "container/bridge"}],
                 "container": {"portMappings": [{"containerPort": 8080}]}}""".formatted(appId)).status());
        JsonNode task = await("a running task of " + appId).atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> cluster.tasks(appId).stream().filter(t -> t.path("state").asText().equals("RUNNING"))
                        .findFirst().orElse(null), t -> t != null);
        String taskId = task.path("id").asText();
        String url = "http://" + task.path("host").asText() + ":" + task.path("ports").get(0).asInt() + "/hello";
        await("the task answers on its host port").atMost(DEADLINE).until(() -> Http.answers(url));

        // When its agent is killed, and started again as the same node
        cluster.agent(NODE).kill();
        assertEquals("kept", Http.get(url).body().trim(), "it answers while no agent runs");
        cluster.restartAgent(NODE);

        // Then the new agent adopts it, its host port still answers, and it was not replaced
        await("the restarted agent lists " + taskId + " running").atMost(DEADLINE).ignoreExceptions()
                .until(() -> {
                    for (JsonNode t : cluster.agentTasks(NODE)) {
                        if (t.path("taskId").asText().equals(taskId) && t.path("state").asText().equals("RUNNING")) {
                            return true;
                        }
                    }
                    return false;
                });
        assertEquals("kept", Http.get(url).body().trim());
        assertEquals(Map.of(taskId, NODE), cluster.running(appId));

        // And deleting the app removes its port forward with it
        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        await(appId + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
        await("the host port forward removed").atMost(DEADLINE).until(() -> !Http.answers(url));
    }

    /** The app's task whose checks pass (state HEALTHY), as the gateway shows it; null while there is none. */
    private static JsonNode healthyTask(String appId) {
        for (JsonNode task : cluster.tasks(appId)) {
            JsonNode results = task.path("healthCheckResults");
            if (task.path("state").asText().equals("HEALTHY") && results.size() > 0
                    && results.get(0).path("alive").asBoolean()) {
                return task;
            }
        }
        return null;
    }

    private static boolean tool(String name) {
        return Files.isExecutable(Path.of("/usr/sbin", name)) || Files.isExecutable(Path.of("/sbin", name));
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
