package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app's life over real processes: placed under a constraint with the reason kept for what does
 * not fit, scaled up and down, restarted, moved off a drained node, relaunched with growing delays
 * when it keeps failing, and replaced elsewhere when its node dies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LifecycleIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
            .agent("lc-node-1", "zone=a")
            .agent("lc-node-2", "zone=b");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNodes() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, "lc-node-1", "lc-node-2");
    }

    @Test
    @Order(1)
    void aConstrainedAppPlacesWhatFitsAndSaysWhyTheRestWaits() {
        // Given an app of three instances allowed once per zone, on two zones
        String appId = "/lifecycle/one-per-zone";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "sleep 600", "instances": 3, "cpus": 0.01, "mem": 1,
                 "portDefinitions": [], "constraints": [["zone", "UNIQUE"]]}""".formatted(appId)).status());

        // Then two run, one per zone, and the queue says why the third waits
        await("two running").atMost(DEADLINE).until(() -> running(appId).size() == 2);
        await("the third waits with its reason").atMost(DEADLINE).until(() -> {
            JsonNode queue = Http.get(gateway + "/v1/queue").json().path("queue");
            for (JsonNode entry : queue) {
                if (entry.path("appId").asText().equals(appId)) {
                    return entry.path("waiting").asInt() == 1
                            && entry.path("unplaced").path("constraint zone UNIQUE").asInt() == 2;
                }
            }
            return false;
        });
        assertEquals(Set.of("lc-node-1", "lc-node-2"), Set.copyOf(running(appId).values()));
        deleteAndAwaitGone(appId);
    }

    @Test
    @Order(2)
    void anAppScalesUpAndDownAndRestartsWithFreshTasks() {
        String appId = "/lifecycle/elastic";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", sleeper(appId, 2)).status());
        await("2 running").atMost(DEADLINE).until(() -> running(appId).size() == 2);

        // When scaled to 5, then down to 3
        assertEquals(200, Http.patchJson(gateway + "/v1/apps" + appId, "{\"instances\": 5}").status());
        await("5 running").atMost(DEADLINE).until(() -> running(appId).size() == 5);
        Set<String> beforeScaleDown = running(appId).keySet();
        assertEquals(200, Http.patchJson(gateway + "/v1/apps" + appId, "{\"instances\": 3}").status());

        // Then 3 run, all of them from before: scale-down stops, it does not replace
        await("3 running").atMost(DEADLINE).until(() -> tasks(appId).size() == 3 && running(appId).size() == 3);
        assertTrue(beforeScaleDown.containsAll(running(appId).keySet()));

        // When restarted, every task is replaced by a new one and the count holds
        Set<String> beforeRestart = running(appId).keySet();
        assertEquals(200, Http.post(gateway + "/v1/apps" + appId + "/restart").status());
        await("3 fresh tasks running").atMost(DEADLINE).until(() -> {
            Map<String, String> now = running(appId);
            return tasks(appId).size() == 3 && now.size() == 3
                    && now.keySet().stream().noneMatch(beforeRestart::contains);
        });
        deleteAndAwaitGone(appId);
    }

    @Test
    @Order(3)
    void drainingANodeMovesItsTasksAwayAndUndrainingOpensItAgain() {
        String appId = "/lifecycle/movable";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", sleeper(appId, 4)).status());
        await("4 running").atMost(DEADLINE).until(() -> running(appId).size() == 4);

        // When lc-node-1 is drained
        assertEquals(202, Http.post(gateway + "/v1/nodes/lc-node-1/drain").status());

        // Then all four run on lc-node-2, and lc-node-1 runs none of them
        await("all moved to lc-node-2").atMost(DEADLINE).until(() -> {
            Map<String, String> now = running(appId);
            return tasks(appId).size() == 4 && now.size() == 4 && now.values().stream().allMatch("lc-node-2"::equals);
        });
        assertEquals("DRAINING", node("lc-node-1").path("mode").asText());
        await("lc-node-1 runs nothing of the app").atMost(DEADLINE)
                .until(() -> agentRunning("lc-node-1", appId).isEmpty());

        // When it is opened again, new instances may go there
        assertEquals(202, Http.post(gateway + "/v1/nodes/lc-node-1/undrain").status());
        await("lc-node-1 active").atMost(DEADLINE).until(() -> node("lc-node-1").path("mode").asText().equals("ACTIVE"));
        assertEquals(200, Http.patchJson(gateway + "/v1/apps" + appId, "{\"instances\": 8}").status());
        await("new instances on lc-node-1").atMost(DEADLINE)
                .until(() -> running(appId).size() == 8 && running(appId).containsValue("lc-node-1"));
        deleteAndAwaitGone(appId);
    }

    @Test
    @Order(4)
    void aCrashingAppIsRelaunchedWithGrowingDelaysShownOnTheQueue() {
        // Given an app whose command fails at once, backing off 1 s, ×3 per failure
        String appId = "/lifecycle/crashing";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "exit 3", "instances": 1, "cpus": 0.01, "mem": 1, "portDefinitions": [],
                 "backoffSeconds": 1, "backoffFactor": 3, "maxLaunchDelaySeconds": 60}""".formatted(appId)).status());

        // Then the queue shows it delayed, and the delay grows: 1 s, 3 s, then 9 s
        Set<Instant> seen = new HashSet<>();
        await("three delays observed").atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (JsonNode entry : Http.get(gateway + "/v1/queue").json().path("queue")) {
                String until = entry.path("delayedUntil").asText(null);
                if (entry.path("appId").asText().equals(appId) && until != null) {
                    seen.add(Instant.parse(until));
                }
            }
            return seen.size() >= 3;
        });
        List<Instant> ordered = seen.stream().sorted().toList();
        long first = ordered.get(0).toEpochMilli();
        long second = ordered.get(1).toEpochMilli();
        long third = ordered.get(2).toEpochMilli();
        // Each gap holds the delay before the relaunch plus the next (growing) delay.
        assertTrue(third - second > second - first, "delays grow: " + ordered);
        deleteAndAwaitGone(appId);
    }

    @Test
    @Order(5)
    void aNodeThatComesBackAfterItsTasksWereReplacedHasThemKilled() {
        String appId = "/lifecycle/returning";
        runFourOnBothNodes(appId);
        List<Long> stalePids = agentRunning("lc-node-2", appId);

        // When lc-node-2's agent is cut off (frozen) longer than the node timeout, its tasks still running
        cluster.agent("lc-node-2").signal("STOP");
        try {
            // Then its tasks are replaced on lc-node-1
            awaitAllFourOnNode1(appId);
        } finally {
            // When it comes back
            cluster.agent("lc-node-2").signal("CONT");
        }

        // Then the tasks it still ran are killed there, and the app keeps exactly 4
        await("the replaced tasks are gone from lc-node-2").atMost(DEADLINE)
                .until(() -> agentRunning("lc-node-2", appId).isEmpty() && stalePids.stream().noneMatch(LifecycleIT::alive));
        await("lc-node-2 reachable again").atMost(DEADLINE).until(() -> node("lc-node-2").path("reachable").asBoolean());
        assertEquals(4, running(appId).size());
        deleteAndAwaitGone(appId);
    }

    @Test
    @Order(6)
    void whenANodeDiesItsTasksAreReplacedOnTheOtherNode() {
        String appId = "/lifecycle/survivor";
        runFourOnBothNodes(appId);

        // When lc-node-2's host dies: its agent and its tasks are killed
        List<Long> pids = agentRunning("lc-node-2", appId);
        cluster.agent("lc-node-2").kill();
        pids.forEach(LifecycleIT::killProcessGroup);

        // Then after the node timeout its tasks are replaced on lc-node-1
        awaitAllFourOnNode1(appId);
        assertTrue(!node("lc-node-2").path("reachable").asBoolean(), "lc-node-2 shown unreachable");
        deleteAndAwaitGone(appId);
    }

    /** Starts four sleepers of the app and waits until they run, some on each node. */
    private static void runFourOnBothNodes(String appId) {
        assertEquals(201, Http.postJson(gateway + "/v1/apps", sleeper(appId, 4)).status());
        await("4 running on both nodes").atMost(DEADLINE).until(() -> {
            Map<String, String> now = running(appId);
            return now.size() == 4 && now.containsValue("lc-node-1") && now.containsValue("lc-node-2");
        });
    }

    private static void awaitAllFourOnNode1(String appId) {
        await("all 4 on lc-node-1").atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<String, String> now = running(appId);
            return now.size() == 4 && tasks(appId).size() == 4 && now.values().stream().allMatch("lc-node-1"::equals);
        });
    }

    private static String sleeper(String appId, int instances) {
        return """
                {"id": "%s", "cmd": "sleep 600", "instances": %d, "cpus": 0.01, "mem": 1, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1}""".formatted(appId, instances);
    }

    private static JsonNode node(String nodeId) {
        return Http.get(gateway + "/v1/nodes/" + nodeId).json();
    }

    private static List<JsonNode> tasks(String appId) {
        return cluster.tasks(appId);
    }

    /** Task id → node of the app's RUNNING tasks. */
    private static Map<String, String> running(String appId) {
        return cluster.running(appId);
    }

    /** Process ids of the app's tasks the agent runs. */
    private static List<Long> agentRunning(String nodeId, String appId) {
        List<Long> pids = new ArrayList<>();
        for (JsonNode task : cluster.agentTasks(nodeId)) {
            if (task.path("appId").asText().equals(appId) && task.path("state").asText().equals("RUNNING")) {
                pids.add(task.path("pid").asLong());
            }
        }
        return pids;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }


    private static void killProcessGroup(long pid) {
        try {
            // Each task leads its own process group; a dead host takes all of it.
            new ProcessBuilder("kill", "-9", "--", "-" + pid).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteAndAwaitGone(String appId) {
        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        await(appId + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
    }
}
