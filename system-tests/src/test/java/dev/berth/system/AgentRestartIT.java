package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node agent is killed ({@code kill -9}) and started again with the same node id and work dir,
 * while its node runs two long-running tasks and one that ends while no agent watches. The tasks
 * outlive the agent; the new agent process adopts the running ones (same task ids, same processes,
 * nothing replaced) and reports the one that ended meanwhile with its exit code; deleting the apps
 * afterwards leaves nothing of any of them on the host.
 *
 * <p>The restart happens once, in {@link #restartTheAgentWhileItsTasksRun()}; each test checks one
 * consequence of it, the last one (deleting the apps) after the others.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentRestartIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String NODE = "ar-node-1";
    private static final String SLEEPERS = "/restart/sleepers";
    private static final String RELEASED = "/restart/released";
    /** Exits 3 once the file {@code release} appears in its sandbox (its working directory). */
    private static final String WAIT_FOR_RELEASE = "while [ ! -e release ]; do sleep 0.1; done; exit 3";

    // A longer node timeout than the default 5 s: a JVM starting on a busy 2-core machine may take
    // longer than that, and an agent restart must not be taken for a lost node here (its tasks would
    // be replaced, which is the right answer to a restart slower than the timeout).
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1)
            .schedulerEnv("BERTH_SCHEDULER_NODE_TIMEOUT", "20s")
            .agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static String gateway;
    private static TaskStatusWatch statuses;

    /** The sleepers' tasks as the agent listed them before it was killed: task id → pid. */
    private static Map<String, Long> sleeperPids;
    /** Every process in the sleepers' cgroups before the kill (init, shells, sleep). */
    private static List<ProcessHandle> sleeperProcesses;
    /** Sleepers' pids that still ran while no agent was there. */
    private static Set<Long> runningWhileAgentDown;
    private static String releasedTask;
    private static long releasedPid;
    private static Instant restartedAt;

    @BeforeAll
    static void restartTheAgentWhileItsTasksRun() throws IOException {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.assumeNamespaces("AgentRestartIT", NODE);
        statuses = new TaskStatusWatch(cluster.kafkaBootstrap());

        // Given two long-running tasks and one that waits for a file, all running
        assertEquals(201, Http.postJson(gateway + "/v1/apps", app(SLEEPERS, "sleep 600", 2)).status());
        assertEquals(201, Http.postJson(gateway + "/v1/apps", app(RELEASED, WAIT_FOR_RELEASE, 1)).status());
        await("3 tasks running").atMost(DEADLINE)
                .until(() -> running(SLEEPERS).size() == 2 && running(RELEASED).size() == 1
                        && agentTasks(SLEEPERS, TaskState.RUNNING).size() == 2
                        && agentTasks(RELEASED, TaskState.RUNNING).size() == 1);
        sleeperPids = new HashMap<>();
        agentTasks(SLEEPERS, TaskState.RUNNING).forEach(t -> sleeperPids.put(t.path("taskId").asText(),
                t.path("pid").asLong()));
        sleeperProcesses = new ArrayList<>();
        sleeperPids.keySet().forEach(task -> sleeperProcesses.addAll(TaskTraces.processes(NODE, task)));
        JsonNode released = agentTasks(RELEASED, TaskState.RUNNING).get(0);
        releasedTask = released.path("taskId").asText();
        releasedPid = released.path("pid").asLong();
        Path releasedSandbox = Path.of(released.path("sandbox").asText());

        // When the agent is killed, the waiting task is released (it exits 3) while no agent runs,
        // and the agent is started again as the same node
        cluster.agent(NODE).kill();
        runningWhileAgentDown = new HashSet<>();
        sleeperPids.values().stream().filter(pid -> TaskTraces.process(pid).isPresent())
                .forEach(runningWhileAgentDown::add);
        Files.createFile(releasedSandbox.resolve("release"));
        await("the released task's process is gone").atMost(DEADLINE)
                .until(() -> TaskTraces.process(releasedPid).isEmpty());
        assertTrue(!cluster.agent(NODE).isAlive(), "no agent ran while the task ended");
        restartedAt = Instant.now();
        cluster.restartAgent(NODE);
    }

    @AfterAll
    static void stopWatching() {
        if (statuses != null) {
            statuses.close();
        }
    }

    @Test
    @Order(1)
    void runningTasksOutliveTheAgentAndAreAdoptedNotReplaced() {
        // Then the long-running tasks ran on while no agent was there, each with its init and command
        assertTrue(sleeperProcesses.size() >= 3 * sleeperPids.size(), "processes in the sleepers' cgroups: "
                + sleeperProcesses.stream().map(ProcessHandle::pid).toList());
        assertEquals(Set.copyOf(sleeperPids.values()), runningWhileAgentDown,
                "the sleepers' processes outlived the killed agent");

        // And the new agent lists them again: the same task ids, the same processes, RUNNING
        await("the restarted agent lists the sleepers").atMost(DEADLINE).until(() -> {
            Map<String, Long> listed = new HashMap<>();
            agentTasks(SLEEPERS, TaskState.RUNNING).forEach(t -> listed.put(t.path("taskId").asText(),
                    t.path("pid").asLong()));
            return listed.equals(sleeperPids);
        });

        // And once the scheduler has heard the new agent, the cluster shows them RUNNING, not replaced
        await("a heartbeat of the restarted agent").atMost(DEADLINE).until(() -> {
            JsonNode node = Http.get(gateway + "/v1/nodes/" + NODE).json();
            return node.path("reachable").asBoolean()
                    && Instant.parse(node.path("lastSeen").asText()).isAfter(restartedAt)
                    && listed(node.path("runningTaskIds")).containsAll(sleeperPids.keySet());
        });
        assertEquals(sleeperPids.keySet(), running(SLEEPERS).keySet());
        assertEquals(2, tasks(SLEEPERS).size(), "no task of the sleepers but the two adopted: " + tasks(SLEEPERS));
        assertEquals(2, launchesOf(SLEEPERS).size(), "the sleepers were launched only once each");
        sleeperProcesses.forEach(p -> assertTrue(TaskTraces.running(p), "process " + p.pid() + " still runs"));
    }

    @Test
    @Order(2)
    void aTaskThatEndedWhileTheAgentWasDownIsReportedWithItsExitCodeAndReplaced() {
        // Then its end is reported with the code it exited with, and when
        TaskStatus ended = statuses.await("the released task's end", s -> s.taskId().equals(releasedTask)
                && s.state().isTerminal(), DEADLINE);
        assertEquals(TaskState.FAILED, ended.state());
        assertEquals("exited with code 3 while the agent was down", ended.reason());
        assertEquals(3, ended.exitCode());

        // And the agent lists it so, its cgroup reaped
        JsonNode listed = agentTask(releasedTask).orElseThrow();
        assertEquals("FAILED", listed.path("state").asText());
        assertEquals("exited with code 3 while the agent was down", listed.path("reason").asText());
        assertEquals(List.of(), TaskTraces.existingCgroupDirs(NODE, releasedTask));

        // And the app runs again under a new task id
        await("a replacement running").atMost(DEADLINE).until(() -> running(RELEASED).size() == 1);
        assertNotEquals(releasedTask, running(RELEASED).keySet().iterator().next());
        assertTrue(tasks(RELEASED).stream().noneMatch(t -> t.path("id").asText().equals(releasedTask)));
    }

    @Test
    @Order(3)
    void deletingTheAppsAfterwardsLeavesNoProcessOrCgroupBehind() {
        // When both apps are deleted
        Set<String> taskIds = new HashSet<>(sleeperPids.keySet());
        taskIds.add(releasedTask);
        taskIds.addAll(running(RELEASED).keySet());
        for (String appId : List.of(SLEEPERS, RELEASED)) {
            assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        }
        for (String appId : List.of(SLEEPERS, RELEASED)) {
            await(appId + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status()
                    == 404);
        }

        // Then no process the adopted tasks had runs any more, and no task cgroup is left on the node
        await("the adopted tasks' processes gone").atMost(DEADLINE)
                .until(() -> sleeperProcesses.stream().noneMatch(TaskTraces::running)
                        && sleeperPids.values().stream().allMatch(pid -> TaskTraces.process(pid).isEmpty()));
        await("their cgroups removed").atMost(DEADLINE)
                .until(() -> taskIds.stream().allMatch(t -> TaskTraces.existingCgroupDirs(NODE, t).isEmpty()));
        assertEquals(List.of(), TaskTraces.taskGroupsLeft(NODE));
        assertTrue(agentTasks(SLEEPERS, TaskState.RUNNING).isEmpty() && agentTasks(RELEASED, TaskState.RUNNING)
                .isEmpty());
    }

    private static String app(String appId, String cmd, int instances) {
        return """
                {"id": "%s", "cmd": "%s", "instances": %d, "cpus": 0.01, "mem": 32, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1}""".formatted(appId, cmd, instances);
    }

    private static Set<String> listed(JsonNode ids) {
        Set<String> listed = new HashSet<>();
        ids.forEach(id -> listed.add(id.asText()));
        return listed;
    }

    private static List<JsonNode> tasks(String appId) {
        return cluster.tasks(appId);
    }

    /** Task id → node of the app's RUNNING tasks, as the gateway shows them. */
    private static Map<String, String> running(String appId) {
        return cluster.running(appId);
    }

    /** The app's tasks in this state, as the agent lists them ({@code GET /v1/agent/tasks}). */
    private static List<JsonNode> agentTasks(String appId, TaskState state) {
        List<JsonNode> tasks = new ArrayList<>();
        for (JsonNode task : cluster.agentTasks(NODE)) {
            if (task.path("appId").asText().equals(appId) && task.path("state").asText().equals(state.name())) {
                tasks.add(task);
            }
        }
        return tasks;
    }

    private static Optional<JsonNode> agentTask(String taskId) {
        for (JsonNode task : cluster.agentTasks(NODE)) {
            if (task.path("taskId").asText().equals(taskId)) {
                return Optional.of(task);
            }
        }
        return Optional.empty();
    }

    /** Every launch of the app committed on node-commands. */
    private static List<LaunchTask> launchesOf(String appId) {
        return TopicSnapshot.read(cluster.kafkaBootstrap(), Topics.NODE_COMMANDS.name()).stream()
                .map(LaunchWatch::launchOf).flatMap(Optional::stream).filter(l -> l.appId().equals(appId)).toList();
    }
}
