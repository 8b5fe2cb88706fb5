package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scheduler high availability over real processes: two schedulers, one active; the active one is
 * killed with SIGKILL in the middle of a deployment, and the standby finishes it without launching
 * any instance twice. Then a leader that is frozen (SIGSTOP) long enough to be replaced wakes up
 * and is fenced: it writes nothing and stands by.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerFailoverIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final int INSTANCES = 100;
    private static final Map<String, String> ROOM = Map.of("BERTH_AGENT_CPUS", "4", "BERTH_AGENT_MEM", "4096");
    // Two agents with room for a hundred tiny tasks each; the app asks for no ports.
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(2)
            .agent("fo-node-1", "zone=a", ROOM)
            .agent("fo-node-2", "zone=b", ROOM);
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNodes() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        await("both nodes listed by the gateway").atMost(DEADLINE).until(() -> {
            String nodes = Http.get(gateway + "/v1/nodes").body();
            return nodes.contains("\"fo-node-1\"") && nodes.contains("\"fo-node-2\"");
        });
    }

    @Test
    @Order(1)
    void theStandbyFinishesADeploymentAfterTheActiveSchedulerIsKilledWithoutLaunchingAnyInstanceTwice() {
        // Given two schedulers: one active, one standing by, both live and ready
        ServiceProcess active = cluster.awaitActiveScheduler(DEADLINE);
        ServiceProcess standby = cluster.schedulers().stream().filter(s -> s != active).findFirst().orElseThrow();
        assertEquals("standby", BerthCluster.roleOf(standby));
        for (ServiceProcess scheduler : cluster.schedulers()) {
            assertEquals(200, Http.get(scheduler.url() + "/q/health/live").status());
            Http.Response ready = Http.get(scheduler.url() + "/q/health/ready");
            assertEquals(200, ready.status(), ready.body());
            assertEquals(BerthCluster.roleOf(scheduler), roleInHealth(ready.json()), ready.body());
        }

        // When an app of 100 instances is submitted that the two nodes can hold only 80 of (at most
        // 40 per zone; both agents run on this one host, so a hostname rule would not tell them
        // apart), so that its deployment is still under way when the leader dies
        String appId = "/failover/sleepers";
        LaunchWatch.Seen firstLaunches;
        try (LaunchWatch watch = new LaunchWatch(cluster.kafkaBootstrap())) {
            Http.Response created = Http.postJson(gateway + "/v1/apps", """
                    {"id": "%s", "cmd": "sleep 600", "instances": %d, "cpus": 0.01, "mem": 1,
                     "portDefinitions": [], "constraints": [["zone", "MAX_PER", "40"]]}"""
                    .formatted(appId, INSTANCES));
            assertEquals(201, created.status(), created.body());
            firstLaunches = watch.awaitLaunch(appId, DEADLINE);
            await("20 instances waiting, with the reason").atMost(DEADLINE).until(() -> {
                JsonNode app = Http.get(gateway + "/v1/apps" + appId).json();
                return app.path("waiting").asInt() == 20
                        && app.path("unplaced").path("constraint zone MAX_PER 40").asInt() == 2;
            });

            // And the active scheduler is killed with SIGKILL in the middle of it
            active.kill();
        }
        long killedAt = System.nanoTime();
        System.out.printf("killed the active scheduler (pid %d) after %d of %d launches were committed%n",
                active.pid(), firstLaunches.launches(), INSTANCES);
        assertFalse(active.isAlive());

        // Then the standby becomes the active scheduler
        await("the standby takes over").atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> "active".equals(BerthCluster.roleOf(standby)));
        System.out.printf("standby active %d ms after the kill%n", (System.nanoTime() - killedAt) / 1_000_000);

        // When a third node joins, the new leader places the 20 waiting instances there
        cluster.startAgent("fo-node-3", "zone=c", ROOM);

        // And it completes the app: exactly 100 tasks RUNNING, one per instance 0..99
        await("all instances RUNNING").atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> runningTasks(appId).size() == INSTANCES);
        JsonNode app = Http.get(gateway + "/v1/apps" + appId).json();
        List<JsonNode> tasks = new ArrayList<>();
        app.path("tasks").forEach(tasks::add);
        assertEquals(INSTANCES, tasks.size(), "tasks listed: " + tasks.size());
        assertEquals(INSTANCES, tasks.stream().map(t -> t.path("id").asText()).distinct().count(), "duplicate task ids");
        assertTrue(tasks.stream().allMatch(t -> t.path("state").asText().equals("RUNNING")));
        assertEquals(IntStream.range(0, INSTANCES).boxed().toList(),
                tasks.stream().map(t -> t.path("instance").asInt()).sorted().toList());
        assertEquals(20, tasks.stream().filter(t -> t.path("node").asText().equals("fo-node-3")).count(),
                "the new leader placed the waiting instances on the new node");

        // And no instance was launched twice: one committed launch per (app, instance) on node-commands
        assertEachInstanceLaunchedOnce(appId, INSTANCES);

        // And the agents run exactly 100 processes of the app between them
        assertEquals(INSTANCES, agentsRunning(appId));

        // When the app is deleted, every task goes away
        deleteAndAwaitGone(appId);
        assertNotEquals(active, cluster.activeScheduler().orElseThrow());
    }

    @Test
    @Order(2)
    void aFrozenLeaderThatWakesUpAfterItWasReplacedIsFencedAndStandsBy() {
        // Given an active scheduler and a fresh standby
        ServiceProcess frozen = cluster.awaitActiveScheduler(DEADLINE);
        ServiceProcess successor = cluster.startScheduler();
        assertEquals("standby", BerthCluster.roleOf(successor));
        int instances = 10;
        try {
            // When the active one freezes (SIGSTOP) for longer than its leader-group session
            frozen.signal("STOP");

            // Then the standby takes over and places an app submitted meanwhile
            String whileFrozen = "/failover/while-frozen";
            try (LaunchWatch watch = new LaunchWatch(cluster.kafkaBootstrap())) {
                // Accepted once the standby has taken over: 201 if that happens within the gateway's wait
                // for the scheduler's reply, else 503 saying the command is in Kafka and will be carried
                // out. Either way the launch below shows it was not lost.
                Http.Response submitted = Http.postJson(gateway + "/v1/apps", tinyApp(whileFrozen, instances));
                assertTrue(submitted.status() == 201 || submitted.status() == 503, submitted.body());
                watch.awaitLaunch(whileFrozen, DEADLINE);
            }
            assertEquals("active", BerthCluster.roleOf(successor));
        } finally {
            // When the frozen one wakes up, still believing it leads
            frozen.signal("CONT");
        }

        // Then it learns it lost its membership and stands by, and the successor stays active in its term
        await("the woken scheduler stands by").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> "standby".equals(BerthCluster.roleOf(frozen)));
        JsonNode successorRole = Http.asService().get(successor.url() + "/scheduler/role").json();
        assertEquals("active", successorRole.path("role").asText());
        assertEquals(1, successorRole.path("term").asInt(), "the successor was deposed in between: " + successorRole);

        // And the cluster keeps working under the successor, each instance launched exactly once
        String afterWake = "/failover/after-wake";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", tinyApp(afterWake, instances)).status());
        for (String appId : List.of("/failover/while-frozen", afterWake)) {
            await(appId + " RUNNING").atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                    .until(() -> runningTasks(appId).size() == instances);
            assertEachInstanceLaunchedOnce(appId, instances);
            deleteAndAwaitGone(appId);
        }
        assertEquals(1, Http.asService().get(successor.url() + "/scheduler/role").json().path("term").asInt());
    }

    private static String tinyApp(String appId, int instances) {
        return """
                {"id": "%s", "cmd": "sleep 600", "instances": %d, "cpus": 0.01, "mem": 1,
                 "portDefinitions": []}""".formatted(appId, instances);
    }

    /** One committed launch per (app, instance) on node-commands, for instances 0..n-1 and no others. */
    private static void assertEachInstanceLaunchedOnce(String appId, int instances) {
        Map<String, Integer> instanceOfTask = instancesOfTasks(appId);
        List<LaunchTask> launches = TopicSnapshot.read(cluster.kafkaBootstrap(), Topics.NODE_COMMANDS.name()).stream()
                .map(LaunchWatch::launchOf).flatMap(java.util.Optional::stream)
                .filter(l -> l.appId().equals(appId)).toList();
        Map<Integer, Long> launchesPerInstance = new TreeMap<>(launches.stream().collect(Collectors.groupingBy(
                l -> instanceOfTask.getOrDefault(l.taskId(), -1), Collectors.counting())));
        assertEquals(instances, launches.size(), "launches per instance: " + launchesPerInstance
                + "; what the agents said of the app's tasks: " + statusesOf(appId));
        assertEquals(instances, launches.stream().map(LaunchTask::taskId).distinct().count(), "a task id launched twice");
        assertFalse(launchesPerInstance.containsKey(-1), "a launch for a task the scheduler never recorded");
        assertTrue(launchesPerInstance.values().stream().allMatch(n -> n == 1),
                "instances launched more than once: " + launchesPerInstance);
        assertEquals(IntStream.range(0, instances).boxed().collect(Collectors.toSet()), launchesPerInstance.keySet());
    }

    private static void deleteAndAwaitGone(String appId) {
        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        await(appId + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
        await("agents run nothing of " + appId).atMost(DEADLINE).until(() -> agentsRunning(appId) == 0);
    }


    private static String roleInHealth(JsonNode health) {
        for (JsonNode check : health.path("checks")) {
            if (check.path("data").has("role")) {
                return check.path("data").path("role").asText();
            }
        }
        return "none";
    }

    private static Set<String> runningTasks(String appId) {
        Http.Response response = Http.get(gateway + "/v1/apps" + appId);
        Set<String> running = new HashSet<>();
        if (response.status() == 200) {
            for (JsonNode task : response.json().path("tasks")) {
                if (task.path("state").asText().equals("RUNNING")) {
                    running.add(task.path("id").asText());
                }
            }
        }
        return running;
    }

    /** Task id → instance, from every task record the schedulers committed for the app. */
    /** Task id → the states and reasons agents reported for it, for a failure message. */
    private static Map<String, List<String>> statusesOf(String appId) {
        Map<String, List<String>> statuses = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> record : TopicSnapshot.read(cluster.kafkaBootstrap(), Topics.TASK_STATUS.name())) {
            try {
                TaskStatus status = JsonCodec.decode(record.value(), TaskStatus.class);
                if (appId.equals(status.appId()) || status.taskId().startsWith(appId.substring(1).replace('/', '_'))) {
                    statuses.computeIfAbsent(status.taskId(), id -> new java.util.ArrayList<>())
                            .add(status.state() + (status.reason() == null ? "" : " (" + status.reason() + ")"));
                }
            } catch (RuntimeException e) {
                // garbage another suite wrote on purpose
            }
        }
        return statuses;
    }

    private static Map<String, Integer> instancesOfTasks(String appId) {
        Map<String, Integer> instances = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : TopicSnapshot.read(cluster.kafkaBootstrap(), Topics.TASKS.name())) {
            if (record.value() == null) {
                continue;
            }
            try {
                TaskRecord task = JsonCodec.decode(record.value(), TaskRecord.class);
                if (task.appId().equals(appId)) {
                    instances.put(task.taskId(), task.instance());
                }
            } catch (MalformedMessageException e) {
                // garbage another suite wrote on purpose
            }
        }
        return instances;
    }

    private static int agentsRunning(String appId) {
        int running = 0;
        for (String node : List.of("fo-node-1", "fo-node-2", "fo-node-3")) {
            if (cluster.agent(node) == null) {
                continue;
            }
            for (JsonNode task : cluster.agentTasks(node)) {
                if (task.path("appId").asText().equals(appId) && task.path("state").asText().equals("RUNNING")) {
                    running++;
                }
            }
        }
        return running;
    }
}
