package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Task isolation seen over the whole stack (gateway, scheduler, agent as processes): a task that
 * uses more memory than its app asked for is killed by the kernel and reported so, and the node
 * tells how it isolates and what its tasks actually use, within their cpu quota.
 */
class IsolationIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String NODE = "iso-node-1";

    // Usage measured every second (default 5 s), so the busy task's figures move within the test.
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1)
            .agent(NODE, "zone=a", Map.of("BERTH_AGENT_USAGE_INTERVAL", "1s"));
    private static BerthCluster cluster;
    private static String gateway;
    private static TaskStatusWatch statuses;

    @BeforeAll
    static void assumeNamespaces() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.assumeNamespaces("IsolationIT", NODE);
        statuses = new TaskStatusWatch(cluster.kafkaBootstrap());
    }

    @AfterAll
    static void stopWatching() {
        if (statuses != null) {
            statuses.close();
        }
    }

    @Test
    void aTaskThatOutgrowsItsMemoryIsKilledByTheKernelAndReportedOomKilled() {
        // Given an app of 32 MiB whose command holds half a GiB (tail keeps a "line" of zeros whole);
        // a long backoff, so that one failure is all this test causes
        String appId = "/isolation/memory-hog";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "head -c 512m /dev/zero | tail > /dev/null", "instances": 1, "cpus": 0.1,
                 "mem": 32, "portDefinitions": [], "backoffSeconds": 60}""".formatted(appId)).status());
        // (Once the scheduler has recorded it, so that the test's delete below finds it.)
        await(appId + " recorded").atMost(DEADLINE).until(() -> !Http.get(gateway + "/v1/apps" + appId).json()
                .path("status").asText().equals("PENDING"));

        // Then its task ends FAILED, and the reason says the kernel killed it for its memory
        TaskStatus ended = statuses.await(appId + " ended", s -> appId.equals(s.appId()) && s.state().isTerminal(),
                DEADLINE);
        assertEquals(TaskState.FAILED, ended.state());
        assertTrue(ended.reason().startsWith(TaskStatus.OOM_KILLED), "reason: " + ended.reason());
        assertTrue(ended.reason().contains("32 MiB"), "reason names the limit: " + ended.reason());

        // And the agent lists it so
        JsonNode listed = agentTask(ended.taskId());
        assertEquals("FAILED", listed.path("state").asText());
        assertEquals(ended.reason(), listed.path("reason").asText());
        deleteAndAwaitGone(appId);
    }

    @Test
    void anOomLoopingAppSaysSoOnItsViewItsQueueEntryAndItsEndedTasksWhoseLogsStayReadable() {
        // Given an app of 32 MiB whose command says hello, then holds half a GiB: it can never run;
        // a short backoff that does not grow, so it loops quickly. A whole cpu, so that it reaches its
        // limit in well under a second even on a busy machine: at 0.1 cpus it once took more than the
        // scheduler's 10 s "stayed up" window, which rightly counted it as a fresh start each time.
        String appId = "/isolation/oom-loop";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "echo about to eat memory; head -c 512m /dev/zero | tail > /dev/null",
                 "instances": 1, "cpus": 1, "mem": 32, "portDefinitions": [],
                 "backoffSeconds": 1, "backoffFactor": 1, "maxLaunchDelaySeconds": 1}""".formatted(appId)).status());

        // Then the app itself says it crash-loops, and why: the kernel killed it for its 32 MiB
        JsonNode app = await(appId + " crash-looping").atMost(DEADLINE).until(
                () -> Http.get(gateway + "/v1/apps" + appId).json(),
                a -> a.path("status").asText().equals("CRASH_LOOPING"));
        JsonNode failure = app.path("lastTaskFailure");
        assertEquals("FAILED", failure.path("state").asText());
        assertTrue(failure.path("message").asText().startsWith(TaskStatus.OOM_KILLED)
                && failure.path("message").asText().contains("32 MiB"), "lastTaskFailure: " + failure);
        assertEquals(NODE, failure.path("node").asText());
        assertEquals(1, failure.path("version").asLong());
        assertTrue(app.path("failuresInARow").asInt() >= 3, "failuresInARow: " + app.path("failuresInARow"));

        // And its queue entry, while it waits out a backoff, says the same
        JsonNode delay = await(appId + " delayed, with the reason").atMost(DEADLINE).until(
                () -> queueEntry(appId).path("delay"), d -> !d.isMissingNode() && !d.isNull());
        assertTrue(delay.path("lastFailure").path("message").asText().startsWith(TaskStatus.OOM_KILLED)
                && delay.path("lastFailure").path("message").asText().contains("32 MiB"), "delay: " + delay);
        assertTrue(delay.path("failuresInARow").asInt() >= 1, "delay: " + delay);
        assertEquals(1.0, delay.path("backoffSeconds").asDouble(), 0.001);

        // And its ended tasks are listed, each FAILED for its memory, with exit code and node
        JsonNode ended = Http.get(gateway + "/v1/tasks?app=" + appId + "&state=terminal").json().path("tasks");
        assertTrue(ended.size() >= 3, "ended: " + ended);
        for (JsonNode task : ended) {
            assertEquals("FAILED", task.path("state").asText(), "ended: " + task);
            assertTrue(task.path("reason").asText().startsWith(TaskStatus.OOM_KILLED), "ended: " + task);
            assertEquals(NODE, task.path("node").asText());
            assertTrue(task.hasNonNull("endedAt"), "ended: " + task);
        }
        // And the output of one that ended is still readable
        String endedTask = ended.get(0).path("id").asText();
        assertEquals("about to eat memory\n", Http.get(gateway + "/v1/tasks/" + endedTask + "/logs").body());
        deleteAndAwaitGone(appId);
    }

    private static JsonNode queueEntry(String appId) {
        for (JsonNode entry : Http.get(gateway + "/v1/queue").json().path("queue")) {
            if (appId.equals(entry.path("appId").asText())) {
                return entry;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    void aTaskPastItsDiskAllowanceIsKilledWhenItsAppAsksForEnforcement() {
        // Given an app allowed 1 MiB of sandbox, enforced, whose task writes 3 MiB and then waits
        String appId = "/isolation/disk-hog";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "head -c 3m /dev/zero > big; sleep 600", "instances": 1, "cpus": 0.1,
                 "mem": 32, "disk": 1, "portDefinitions": [], "backoffSeconds": 60,
                 "isolation": {"enforceDisk": true}}""".formatted(appId)).status());
        await(appId + " recorded").atMost(DEADLINE).until(() -> !Http.get(gateway + "/v1/apps" + appId).json()
                .path("status").asText().equals("PENDING"));

        // Then the agent measures its sandbox, stops it, and says why
        TaskStatus ended = statuses.await(appId + " ended", s -> appId.equals(s.appId()) && s.state().isTerminal(),
                DEADLINE);
        assertEquals(TaskState.FAILED, ended.state());
        // The agent may catch the write under way: any amount past the 1 MiB allowance, as it measured it.
        Matcher held = Pattern.compile(TaskStatus.DISK_LIMIT_EXCEEDED
                + ": its sandbox holds ([0-9.]+) MiB, more than its disk of 1 MiB").matcher(ended.reason());
        assertTrue(held.matches(), "reason: " + ended.reason());
        assertTrue(Double.parseDouble(held.group(1)) > 1.0, "reason: " + ended.reason());
        deleteAndAwaitGone(appId);
    }

    @Test
    void theNodeShowsItsIsolationAndWhatABusyTaskUsesWithinItsCpuQuota() {
        // Given a task that spins as fast as it may, on a quarter of a core
        String appId = "/isolation/busy";
        double cpus = 0.25;
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "while :; do :; done", "instances": 1, "cpus": %s, "mem": 32,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1}""".formatted(appId, cpus)).status());
        String taskId = await("the busy task running").atMost(DEADLINE).until(() -> runningTask(appId),
                id -> !id.isEmpty());

        // Then the node says it isolates with cgroups
        JsonNode node = Http.get(gateway + "/v1/nodes/" + NODE).json();
        assertTrue(Set.of("cgroups-v1", "cgroups-v2").contains(node.path("isolation").asText()), node.toString());

        // And it shows what the task uses: memory, and cpu time that grows
        JsonNode first = await("the task's usage on the node").atMost(DEADLINE)
                .until(() -> usageOf(taskId), u -> u.path("cpuSeconds").asDouble() > 0);
        long firstAt = System.nanoTime();
        assertTrue(first.path("memBytes").asLong() > 0, "memory charged to the task: " + first);
        double grown = 2.0;
        JsonNode later = await("its cpu time grows by " + grown + " s").atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(200)).until(() -> usageOf(taskId),
                        u -> u.path("cpuSeconds").asDouble() >= first.path("cpuSeconds").asDouble() + grown);
        double wallSeconds = (System.nanoTime() - firstAt) / 1e9;
        double cpuSeconds = later.path("cpuSeconds").asDouble() - first.path("cpuSeconds").asDouble();

        // And no faster than its quota lets it: each figure may be up to a usage interval and a heartbeat
        // old when the gateway shows it (3 s allowed for both), and CFS may overrun a period a little (10 %).
        // Unlimited, the loop would take a whole core: 2 cpu-seconds in about 2 s of wall time.
        double allowed = cpus * (wallSeconds + 3) * 1.1;
        assertTrue(cpuSeconds <= allowed, String.format(
                "%.2f cpu-seconds in %.1f s of wall time, more than %s cpus allow (%.2f)", cpuSeconds, wallSeconds,
                cpus, allowed));
        System.out.printf("busy task on %s cpus: %.2f cpu-seconds in %.1f s%n", cpus, cpuSeconds, wallSeconds);
        deleteAndAwaitGone(appId);
    }

    /** The task's usage in the gateway's node view ({@code usage.tasks.<task id>}); missing until measured. */
    private static JsonNode usageOf(String taskId) {
        return Http.get(gateway + "/v1/nodes/" + NODE).json().path("usage").path("tasks").path(taskId);
    }

    /** The id of the app's RUNNING task, as the gateway shows it; empty while there is none. */
    private static String runningTask(String appId) {
        Http.Response response = Http.get(gateway + "/v1/apps" + appId);
        if (response.status() != 200) {
            return "";
        }
        for (JsonNode task : response.json().path("tasks")) {
            if (task.path("state").asText().equals("RUNNING")) {
                return task.path("id").asText();
            }
        }
        return "";
    }

    private static JsonNode agentTask(String taskId) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode task : cluster.agentTasks(NODE)) {
            if (task.path("taskId").asText().equals(taskId)) {
                found.add(task);
            }
        }
        assertEquals(1, found.size(), "the agent lists " + taskId);
        return found.get(0);
    }

    private static void deleteAndAwaitGone(String appId) {
        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        await(appId + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
    }
}
