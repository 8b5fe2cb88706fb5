package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark 5, stateful failover: from {@code kill -9} of the agent running a stateful task with an
 * external volume to the task RUNNING on the other node with its data, with the default 5 s node
 * timeout and 3 s lease. Not part of {@code verify}; run it with the {@code bench} profile:
 *
 * <pre>bench/run StatefulFailoverBench [-Dbench.stateful-failovers=20]</pre>
 *
 * <p>The task is {@link Journal#writer}. Each round kills the agent of the node it runs on, takes
 * the moment the gateway shows a new copy RUNNING on the other node and the moment that copy's first
 * journal line is on the volume, checks that every line any earlier copy synced is there in order,
 * then starts the killed agent again for the next round (which fails over back). Prints min / median
 * / max and the synced writes lost (must be 0); asserts only that nothing was lost.
 *
 * <p>The baseline, measured by the same kills: a stateless app of two sleepers, of which those on the
 * node killed are simply replaced (kill → two running again, none on the dead node). The ratio of
 * the medians is what fencing, the lease and the volume handshake add.
 */
class StatefulFailoverBench {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String NODE_A = "bench-sf-a";
    private static final String NODE_B = "bench-sf-b";
    private static final String APP = "/bench/journal";
    /** The baseline: a stateless app with an instance on each node, whose lost one is simply replaced. */
    private static final String STATELESS = "/bench/sleepers";
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
            .agent(NODE_A, "zone=a")
            .agent(NODE_B, "zone=b");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNodes() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE_A, NODE_B);
    }

    @Test
    void measureFailoverFromAgentKillToRunningElsewhereWithItsData() {
        int rounds = Integer.getInteger("bench.stateful-failovers", 20);
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "%s", "instances": 1, "cpus": 0.05, "mem": 32, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1, "container": {"type": "MESOS", "volumes": [
                   {"containerPath": "data", "mode": "RW", "external": {"name": "bench-journal", "size": 16}}]}}"""
                .formatted(APP, Journal.writer("data").replace("\"", "\\\"")));
        assertEquals(201, created.status(), created.body());
        Http.Response baseline = Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "sleep 3600", "instances": 2, "cpus": 0.01, "mem": 32, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1}""".formatted(STATELESS));
        assertEquals(201, baseline.status(), baseline.body());
        Path journal = cluster.sharedVolumeRoot().resolve("bench-journal-0").resolve("journal");
        List<String> writers = new ArrayList<>();
        List<Long> toRunning = new ArrayList<>();
        List<Long> toFirstWrite = new ArrayList<>();
        List<Long> statelessToRunning = new ArrayList<>();
        long lost = 0;

        await("first copy running").atMost(DEADLINE).until(() -> cluster.running(APP).size() == 1
                && cluster.running(STATELESS).size() == 2);
        for (int round = 1; round <= rounds; round++) {
            var current = cluster.running(APP).entrySet().iterator().next();
            String oldTask = current.getKey();
            String oldNode = current.getValue();
            Path oldSandbox = cluster.agentWorkDir(oldNode).resolve("sandboxes").resolve(oldTask);
            if (writers.isEmpty() || !writers.get(writers.size() - 1).equals(oldTask)) {
                writers.add(oldTask);
            }
            await("the copy writes").atMost(DEADLINE).until(() -> Journal.synced(oldSandbox) >= 3);

            boolean baselineHit = cluster.running(STATELESS).containsValue(oldNode);
            long killedAt = System.nanoTime();
            cluster.agent(oldNode).kill();
            long[] at = {0, 0};
            String[] newTask = {null};
            // One poll for both: the stateful copy running elsewhere, and (when the baseline had an
            // instance on the node killed) the baseline's two instances running again, none there.
            await("a new copy running").atMost(DEADLINE).pollInterval(Duration.ofMillis(20)).until(() -> {
                long now = System.nanoTime();
                if (at[0] == 0) {
                    newTask[0] = cluster.running(APP).keySet().stream().filter(t -> !t.equals(oldTask)).findFirst()
                            .orElse(null);
                    at[0] = newTask[0] == null ? 0 : now;
                }
                if (baselineHit && at[1] == 0) {
                    Map<String, String> sleepers = cluster.running(STATELESS);
                    at[1] = sleepers.size() == 2 && !sleepers.containsValue(oldNode) ? now : 0;
                }
                return at[0] != 0 && (!baselineHit || at[1] != 0);
            });
            if (baselineHit) {
                statelessToRunning.add((at[1] - killedAt) / 1_000_000);
            }
            long runningAt = at[0];
            String newTaskId = newTask[0];
            await("its first line").atMost(DEADLINE).pollInterval(Duration.ofMillis(20))
                    .until(() -> Journal.countBy(Journal.read(journal), newTaskId) >= 1);
            long wroteAt = System.nanoTime();
            writers.add(newTaskId);

            List<Journal.Line> lines = Journal.read(journal);
            List<String> problems = Journal.check(lines, writers);
            assertEquals(List.of(), problems, "round " + round);
            long synced = Journal.synced(oldSandbox);
            // The numbering has no gap (checked above), so every synced line is there when the last one is.
            long kept = Journal.lastBy(lines, oldTask);
            lost += Math.max(0, synced - kept);
            toRunning.add((runningAt - killedAt) / 1_000_000);
            toFirstWrite.add((wroteAt - killedAt) / 1_000_000);
            System.out.printf("stateful failover %d: %s -> %s, kill -> RUNNING %d ms, -> first write %d ms, "
                            + "last line the old copy synced %d, last of it kept %d%n", round, oldNode,
                    cluster.running(APP).get(newTaskId), toRunning.get(round - 1), toFirstWrite.get(round - 1), synced,
                    kept);

            Instant restartedAt = Instant.now();
            cluster.restartAgent(oldNode);
            await(oldNode + " back").atMost(DEADLINE).until(() -> {
                JsonNode node = Http.get(gateway + "/v1/nodes/" + oldNode).json();
                return node.path("reachable").asBoolean()
                        && Instant.parse(node.path("lastSeen").asText()).isAfter(restartedAt.plusSeconds(1));
            });
        }
        System.out.printf("stateful failover over %d kills: kill -> RUNNING elsewhere %s; kill -> first write %s; "
                + "synced writes lost: %d (all to RUNNING: %s)%n", rounds, Spread.of(toRunning), Spread.of(toFirstWrite),
                lost, toRunning);
        System.out.printf("baseline, a stateless instance on the same node replaced, over %d kills: %s; stateful / "
                        + "stateless medians %.2f (all: %s)%n", statelessToRunning.size(), Spread.of(statelessToRunning),
                Spread.of(toRunning).median() / (double) Math.max(1, Spread.of(statelessToRunning).median()),
                statelessToRunning);
        assertTrue(lost == 0, lost + " synced writes lost");
    }
}
