package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.testkit.DockerRegistry;
import dev.berth.testkit.ImagePusher;
import dev.berth.testkit.LayerTar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stateful failover over the real parts: the broker, PostgreSQL, the scheduler, the volume service,
 * the gateway and two node agents as processes, tasks as real processes in their namespaces, and a
 * directory standing in for the storage both nodes share.
 *
 * <p>Each app runs {@link Journal#writer}: numbered, synced lines on its volume. After a failure the
 * journal must hold every line the old copy synced, then the new copy's lines, without a gap and
 * without the two ever interleaving; and the old copy's processes must be gone before the new copy
 * writes its first line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatefulFailoverIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String NODE_A = "sf-node-a";
    private static final String NODE_B = "sf-node-b";

    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
            .agent(NODE_A, "zone=a")
            .agent(NODE_B, "zone=b");
    private static BerthCluster cluster;
    private static String gateway;
    private static TaskStatusWatch statuses;

    @BeforeAll
    static void awaitNodes() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        statuses = new TaskStatusWatch(cluster.kafkaBootstrap());
        cluster.awaitNodesListed(DEADLINE, NODE_A, NODE_B);
        cluster.assumeNamespaces("StatefulFailoverIT", NODE_A, NODE_B);
    }

    @AfterAll
    static void stopWatching() {
        if (statuses != null) {
            statuses.close();
        }
    }

    @Test
    @Order(1)
    void anExternalVolumeFollowsItsTaskWhenTheAgentDiesAndTheOldCopyStoppedItselfFirst() {
        String app = "/sf/agent-dies";
        Running old = deployAndAwaitWriting(app, external("sf-journal"));
        Path journal = cluster.sharedVolumeRoot().resolve("sf-journal-0").resolve("journal");
        List<ProcessHandle> oldProcesses = TaskTraces.processes(old.node(), old.taskId());
        assertFalse(oldProcesses.isEmpty(), "the old copy's processes are visible in its cgroups");

        // When its agent is killed (the task itself keeps running, as tasks outlive their agent)
        cluster.agent(old.node()).kill();
        assertTrue(oldProcesses.stream().anyMatch(TaskTraces::running), "the task outlived its agent");

        // Then a new copy runs on the other node, and the old one had stopped before it wrote anything
        String otherNode = old.node().equals(NODE_A) ? NODE_B : NODE_A;
        String newTask = awaitNewCopyWhileWatching(app, old, oldProcesses, journal);
        assertEquals(otherNode, cluster.running(app).get(newTask));
        await("the new copy writes").atMost(DEADLINE).until(() -> Journal.countBy(Journal.read(journal), newTask) >= 5);
        assertJournalIntact(journal, old, newTask);

        // And the old copy was stopped on its node by its own watchdog, the lease having run out
        // (reported once its agent is back)
        Instant restartedAt = Instant.now();
        cluster.restartAgent(old.node());
        TaskStatus fenced = statuses.await("the old copy's end", s -> s.taskId().equals(old.taskId())
                && s.state().isTerminal(), DEADLINE);
        assertTrue(fenced.reason() != null && fenced.reason().startsWith(TaskStatus.FENCED), fenced.toString());

        // And the restarted agent does not start it again: after it is heard, nothing of the app runs there
        awaitHeardSince(old.node(), restartedAt);
        assertTrue(cluster.running(app).values().stream().noneMatch(old.node()::equals), cluster.tasks(app).toString());
        assertTrue(agentRunning(old.node(), app).isEmpty(), "the old node runs nothing of " + app);
        long before = Journal.countBy(Journal.read(journal), newTask);
        await("the new copy keeps writing").atMost(DEADLINE)
                .until(() -> Journal.countBy(Journal.read(journal), newTask) > before + 5);
        assertJournalIntact(journal, old, newTask);
        assertVolume("sf-journal-0", "ATTACHED", otherNode);
        assertHistoryShowsTheMove("sf-journal-0", old, otherNode);
        delete(app);
    }

    @Test
    @Order(2)
    void anExternalVolumeFollowsItsTaskWhenTheWholeNodeDies() {
        String app = "/sf/node-dies";
        Running old = deployAndAwaitWriting(app, external("sfn-journal"));
        Path journal = cluster.sharedVolumeRoot().resolve("sfn-journal-0").resolve("journal");
        List<ProcessHandle> oldProcesses = TaskTraces.processes(old.node(), old.taskId());

        // When the node dies: its agent and its tasks killed at once
        cluster.agent(old.node()).kill();
        TaskTraces.killTasksLeft(old.node());

        // Then the task runs on the other node with every synced line
        String newTask = awaitNewCopyWhileWatching(app, old, oldProcesses, journal);
        await("the new copy writes").atMost(DEADLINE).until(() -> Journal.countBy(Journal.read(journal), newTask) >= 5);
        assertJournalIntact(journal, old, newTask);

        // And the node, back, starts nothing of it again
        Instant restartedAt = Instant.now();
        cluster.restartAgent(old.node());
        awaitHeardSince(old.node(), restartedAt);
        assertTrue(agentRunning(old.node(), app).isEmpty(), "the returned node runs nothing of " + app);
        assertEquals(1, cluster.running(app).size());
        delete(app);
    }

    @Test
    @Order(3)
    void aLocalVolumeWaitsForItsNodeAndComesBackThereWithItsData() {
        String app = "/sf/local";
        Running old = deployAndAwaitWriting(app, """
                {"containerPath": "data", "mode": "RW", "persistent": {"type": "root", "size": 16}}""");
        String volumeId = "sf_local.local-0.data";
        Path journal = cluster.agentWorkDir(old.node()).resolve("volumes").resolve(volumeId).resolve("journal");
        assertVolume(volumeId, "ATTACHED", old.node());
        assertEquals(old.node(), Http.get(gateway + "/v1/volumes/" + volumeId).json().path("nodeId").asText());

        // When its node dies (agent and tasks)
        cluster.agent(old.node()).kill();
        TaskTraces.killTasksLeft(old.node());
        long synced = Journal.synced(old.sandbox());

        // Then the instance waits for that node, saying so, and is never placed elsewhere meanwhile
        await("the instance waits for its node").atMost(DEADLINE).until(() -> {
            JsonNode queue = Http.get(gateway + "/v1/queue").json();
            return queue.toString().contains("holds its local volume") && cluster.running(app).isEmpty();
        });
        assertTrue(cluster.tasks(app).stream().noneMatch(t -> !t.path("node").asText().equals(old.node())),
                "nothing of " + app + " placed elsewhere: " + cluster.tasks(app));

        // And when the node comes back, the instance runs there again on its data
        cluster.restartAgent(old.node());
        await("running again on " + old.node()).atMost(DEADLINE).until(() -> cluster.running(app).size() == 1);
        String newTask = cluster.running(app).keySet().iterator().next();
        assertEquals(old.node(), cluster.running(app).get(newTask));
        assertNotEquals(old.taskId(), newTask);
        await("the new copy writes").atMost(DEADLINE).until(() -> Journal.countBy(Journal.read(journal), newTask) >= 3);
        List<Journal.Line> lines = Journal.read(journal);
        assertEquals(List.of(), Journal.check(lines, List.of(old.taskId(), newTask)), "journal: " + lines);
        assertTrue(Journal.lastBy(lines, old.taskId()) >= synced, "every line synced before the node died is there");
        delete(app);
    }

    @Test
    @Order(4)
    void anOperatorGivesAnIdentityWhoseNodeIsLostFreshVolumesElsewhere() {
        replaceAfterItsNodeDies("/sf/replaced", "", () -> {
            Http.Response replaced = Http.post(gateway + "/v1/apps/sf/replaced/instances/replaced-0/replace");
            assertEquals(200, replaced.status(), replaced.body());
        });
    }

    @Test
    @Order(5)
    void anUnreachableStrategyReplacesItAfterItsTimeout() {
        replaceAfterItsNodeDies("/sf/auto", ", \"unreachableStrategy\": {\"replaceAfterSeconds\": 2}", () -> {
        });
    }

    @Test
    @Order(7)
    void anAppRunningFromAnImageFailsOverWithItsDataToo() throws Exception {
        // Given the journal writer run by busybox from an image (no files of the nodes' own), on an external volume
        try (DockerRegistry registry = DockerRegistry.start(Files.createTempDirectory("berth-sf-registry"))) {
            ImagePusher.image().layer(LayerTar.create().file("bin/busybox", Path.of("/bin/busybox"), 0755)
                    .file("bin/sh", Path.of("/bin/busybox"), 0755).bytes()).push(registry.host(), "sf/busybox", "1");
            String app = "/sf/image";
            Running old = deployAndAwaitWriting(app, external("sfi-journal"), """
                    "docker": {"image": "%s/sf/busybox:1"},""".formatted(registry.host()));
            Path journal = cluster.sharedVolumeRoot().resolve("sfi-journal-0").resolve("journal");
            List<ProcessHandle> oldProcesses = TaskTraces.processes(old.node(), old.taskId());

            // When its agent is killed
            cluster.agent(old.node()).kill();

            // Then a new copy runs from the image on the other node, after the old one stopped, every synced line kept
            String otherNode = old.node().equals(NODE_A) ? NODE_B : NODE_A;
            String newTask = awaitNewCopyWhileWatching(app, old, oldProcesses, journal);
            assertEquals(otherNode, cluster.running(app).get(newTask));
            await("the new copy writes").atMost(DEADLINE)
                    .until(() -> Journal.countBy(Journal.read(journal), newTask) >= 5);
            assertJournalIntact(journal, old, newTask);

            // And the old copy ended fenced, as its agent reports once it is back
            cluster.restartAgent(old.node());
            TaskStatus fenced = statuses.await("the old copy's end", s -> s.taskId().equals(old.taskId())
                    && s.state().isTerminal(), DEADLINE);
            assertTrue(fenced.reason() != null && fenced.reason().startsWith(TaskStatus.FENCED), fenced.toString());
            delete(app);
        }
    }

    @Test
    @Order(6)
    void aDrainMovesAnExternalVolumeStopFirstAndLeavesALocalOneWithItsReason() {
        String app = "/sf/drained";
        Running old = deployAndAwaitWriting(app, external("sfd-journal"));
        Path journal = cluster.sharedVolumeRoot().resolve("sfd-journal-0").resolve("journal");
        List<ProcessHandle> oldProcesses = TaskTraces.processes(old.node(), old.taskId());
        String local = "/sf/pinned";
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "exec sleep 600", "instances": 1, "cpus": 0.05, "mem": 32, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1, "constraints": [["zone", "CLUSTER", "%s"]],
                 "container": {"type": "MESOS", "volumes": [
                   {"containerPath": "data", "mode": "RW", "persistent": {"size": 16}}]}}""".formatted(local,
                old.node().equals(NODE_A) ? "a" : "b"));
        assertEquals(201, created.status(), created.body());
        await(local + " running").atMost(DEADLINE).until(() -> cluster.running(local).size() == 1);

        // When the node is drained
        assertEquals(202, Http.post(gateway + "/v1/nodes/" + old.node() + "/drain").status());

        // Then the external identity moves, the old copy gone before the new one writes, nothing lost
        String newTask = awaitNewCopyWhileWatching(app, old, oldProcesses, journal);
        assertNotEquals(old.node(), cluster.running(app).get(newTask));
        await("the new copy writes").atMost(DEADLINE).until(() -> Journal.countBy(Journal.read(journal), newTask) >= 3);
        assertJournalIntact(journal, old, newTask);

        // And the local one stays, its app's queue entry saying why
        await("the local identity's reason").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/queue").body()
                .contains("holds a local volume on draining node " + old.node()));
        assertEquals(old.node(), cluster.running(local).values().iterator().next());

        assertEquals(202, Http.post(gateway + "/v1/nodes/" + old.node() + "/undrain").status());
        delete(app);
        delete(local);
    }

    /**
     * A one-instance app with a local volume loses its node; after {@code replace} the identity runs on
     * the other node with a fresh, empty volume ({@code ~1}), and its old volume is released, kept.
     */
    private static void replaceAfterItsNodeDies(String app, String extraFields, Runnable replace) {
        String name = app.substring(app.lastIndexOf('/') + 1);
        String json = """
                {"id": "%s", "cmd": "echo $MESOS_TASK_ID >> data/starts && exec sleep 600", "instances": 1,
                 "cpus": 0.05, "mem": 32, "portDefinitions": [], "taskKillGracePeriodSeconds": 1%s,
                 "container": {"type": "MESOS", "volumes": [
                   {"containerPath": "data", "mode": "RW", "persistent": {"size": 16}}]}}""".formatted(app, extraFields);
        Http.Response created = Http.postJson(gateway + "/v1/apps", json);
        assertEquals(201, created.status(), created.body());
        await(app + " running").atMost(DEADLINE).until(() -> cluster.running(app).size() == 1);
        String oldNode = cluster.running(app).values().iterator().next();
        String oldVolume = "sf_" + name + "." + name + "-0.data";
        Path oldData = cluster.agentWorkDir(oldNode).resolve("volumes").resolve(oldVolume).resolve("starts");
        await("written").atMost(DEADLINE).until(() -> Files.exists(oldData));

        cluster.agent(oldNode).kill();
        TaskTraces.killTasksLeft(oldNode);
        await("the identity waits for its node").atMost(DEADLINE).until(() -> cluster.running(app).isEmpty());
        replace.run();

        String otherNode = oldNode.equals(NODE_A) ? NODE_B : NODE_A;
        await(app + " running elsewhere").atMost(DEADLINE).until(() -> otherNode.equals(
                cluster.running(app).values().stream().findFirst().orElse(null)));
        String newVolume = oldVolume + "~1";
        Path newData = cluster.agentWorkDir(otherNode).resolve("volumes").resolve(newVolume).resolve("starts");
        await("the fresh volume used").atMost(DEADLINE).until(() -> Files.exists(newData));
        assertVolume(newVolume, "ATTACHED", otherNode);
        await(oldVolume + " released, kept").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/volumes/" + oldVolume)
                .json().path("state").asText().equals("RELEASED"));
        assertTrue(Files.exists(oldData), "the old volume's data is never destroyed by a replacement");
        JsonNode task = cluster.tasks(app).get(0);
        assertEquals(name + "-0", task.path("identity").asText());

        Instant restartedAt = Instant.now();
        cluster.restartAgent(oldNode);
        awaitHeardSince(oldNode, restartedAt);
        delete(app);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** A task of the app: where it ran and its sandbox. */
    private record Running(String taskId, String node, Path sandbox) {
    }

    private static String external(String name) {
        return """
                {"containerPath": "data", "mode": "RW",
                 "external": {"name": "%s", "size": 16, "provider": "sharedfs"}}""".formatted(name);
    }

    private static Running deployAndAwaitWriting(String app, String volume) {
        return deployAndAwaitWriting(app, volume, "");
    }

    /** @param image {@code "docker": {…},} inside the app's container, or "" for a command on the node's files */
    private static Running deployAndAwaitWriting(String app, String volume, String image) {
        String json = """
                {"id": "%s", "cmd": "%s", "instances": 1, "cpus": 0.05, "mem": 32, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1, "container": {"type": "MESOS", %s "volumes": [%s]}}"""
                .formatted(app, Journal.writer("data").replace("\"", "\\\""), image, volume);
        Http.Response created = Http.postJson(gateway + "/v1/apps", json);
        assertEquals(201, created.status(), created.body());
        await(app + " running").atMost(DEADLINE).until(() -> cluster.running(app).size() == 1);
        var entry = cluster.running(app).entrySet().iterator().next();
        Path sandbox = cluster.agentWorkDir(entry.getValue()).resolve("sandboxes").resolve(entry.getKey());
        await(app + " writing").atMost(DEADLINE).until(() -> Journal.synced(sandbox) >= 5);
        return new Running(entry.getKey(), entry.getValue(), sandbox);
    }

    /**
     * Waits for a copy other than {@code old} to run, sampling all along whether the old copy's
     * processes still exist while the journal already holds a line of another task: that would be
     * two writers at once.
     */
    private static String awaitNewCopyWhileWatching(String app, Running old, List<ProcessHandle> oldProcesses,
                                                    Path journal) {
        AtomicBoolean overlap = new AtomicBoolean();
        AtomicReference<String> newTask = new AtomicReference<>();
        await("a new copy of " + app + " writing").atMost(DEADLINE).pollInterval(Duration.ofMillis(20)).until(() -> {
            boolean oldAlive = oldProcesses.stream().anyMatch(TaskTraces::running);
            List<Journal.Line> lines = Journal.read(journal);
            String other = lines.stream().map(Journal.Line::taskId).filter(t -> !t.equals(old.taskId()))
                    .findFirst().orElse(null);
            if (other != null && oldAlive) {
                overlap.set(true);
            }
            newTask.set(other);
            return other != null && cluster.running(app).containsKey(other);
        });
        assertFalse(overlap.get(), "the old copy still ran when the new one had written");
        return newTask.get();
    }

    private static void assertJournalIntact(Path journal, Running old, String newTask) {
        List<Journal.Line> lines = Journal.read(journal);
        assertEquals(List.of(), Journal.check(lines, List.of(old.taskId(), newTask)), "journal: " + tail(lines));
        long synced = Journal.synced(old.sandbox());
        assertTrue(synced >= 5 && Journal.lastBy(lines, old.taskId()) >= synced,
                "every line the old copy synced (up to " + synced + ") is there: " + Journal.lastBy(lines, old.taskId()));
    }

    private static List<Journal.Line> tail(List<Journal.Line> lines) {
        return new ArrayList<>(lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static void assertVolume(String volumeId, String state, String node) {
        JsonNode volume = await(volumeId + " " + state + " on " + node).atMost(DEADLINE)
                .until(() -> Http.get(gateway + "/v1/volumes/" + volumeId), r -> r.status() == 200
                        && r.json().path("state").asText().equals(state)
                        && r.json().path("attachedNodeId").asText().equals(node)).json();
        assertTrue(volume.path("fencingEpoch").asLong() >= 1, volume.toString());
    }

    /**
     * The volume's history, as the gateway gets it from the volume service: attached on the old node,
     * fenced there when it was lost, attached on the other node with a higher epoch.
     */
    private static void assertHistoryShowsTheMove(String volumeId, Running old, String otherNode) {
        Http.Response answer = Http.get(gateway + "/v1/volumes/" + volumeId + "/history");
        assertEquals(200, answer.status(), answer.body());
        List<JsonNode> rows = new ArrayList<>();
        answer.json().forEach(rows::add);
        JsonNode first = rows.stream().filter(r -> r.path("kind").asText().equals("ATTACHED")
                && r.path("nodeId").asText().equals(old.node())).findFirst().orElseThrow(() ->
                new AssertionError("no attachment on " + old.node() + " in " + rows));
        JsonNode fenced = rows.stream().filter(r -> r.path("kind").asText().equals("FENCED")).findFirst()
                .orElseThrow(() -> new AssertionError("no fence in " + rows));
        JsonNode moved = rows.stream().filter(r -> r.path("kind").asText().equals("ATTACHED")
                && r.path("nodeId").asText().equals(otherNode)).reduce((a, b) -> b).orElseThrow(() ->
                new AssertionError("no attachment on " + otherNode + " in " + rows));
        assertTrue(first.path("fencingEpoch").asLong() < moved.path("fencingEpoch").asLong(), rows.toString());
        assertTrue(rows.indexOf(first) < rows.indexOf(fenced) && rows.indexOf(fenced) < rows.indexOf(moved),
                "attached, fenced, attached elsewhere, in that order: " + rows);
        assertEquals(404, Http.get(gateway + "/v1/volumes/no-such-volume/history").status());
    }

    private static void awaitHeardSince(String node, Instant since) {
        await(node + " heard again").atMost(DEADLINE).until(() -> {
            JsonNode listed = Http.get(gateway + "/v1/nodes/" + node).json();
            return listed.path("reachable").asBoolean() && Instant.parse(listed.path("lastSeen").asText()).isAfter(
                    since.plusSeconds(2));
        });
    }

    private static List<JsonNode> agentRunning(String node, String app) {
        List<JsonNode> running = new ArrayList<>();
        for (JsonNode task : cluster.agentTasks(node)) {
            if (task.path("appId").asText().equals(app) && TaskState.valueOf(task.path("state").asText()).isActive()) {
                running.add(task);
            }
        }
        return running;
    }

    private static void delete(String app) {
        assertEquals(200, Http.delete(gateway + "/v1/apps" + app).status());
        await(app + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + app).status() == 404);
    }
}
