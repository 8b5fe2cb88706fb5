package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark 5, stateful failover: from {@code kill -9} of the agent running a stateful task with an
 * external volume to the task RUNNING on the other node with its data, with the default 5 s node
 * timeout and 3 s lease. Not part of {@code verify}; run it with the {@code bench} profile:
 *
 * <pre>./mvnw -B -o -pl system-tests verify -Pbench -Dit.test=StatefulFailoverBench [-Dbench.stateful-failovers=20]</pre>
 *
 * <p>The task is {@link Journal#writer}. Each round kills the agent of the node it runs on, takes
 * the moment the gateway shows a new copy RUNNING on the other node and the moment that copy's first
 * journal line is on the volume, checks that every line any earlier copy synced is there in order,
 * then starts the killed agent again for the next round (which fails over back). Prints min / median
 * / max and the synced writes lost (must be 0); asserts only that nothing was lost.
 */
class StatefulFailoverBench {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String NODE_A = "bench-sf-a";
    private static final String NODE_B = "bench-sf-b";
    private static final String APP = "/bench/journal";
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void startCluster() {
        cluster = BerthCluster.start();
        gateway = cluster.gateway().url();
        cluster.startAgent(NODE_A, "zone=a", 38400);
        cluster.startAgent(NODE_B, "zone=b", 38800);
        cluster.awaitNodesListed(DEADLINE, NODE_A, NODE_B);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
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
        Path journal = cluster.sharedVolumeRoot().resolve("bench-journal-0").resolve("journal");
        List<String> writers = new ArrayList<>();
        List<Long> toRunning = new ArrayList<>();
        List<Long> toFirstWrite = new ArrayList<>();
        long lost = 0;

        await("first copy running").atMost(DEADLINE).until(() -> cluster.running(APP).size() == 1);
        for (int round = 1; round <= rounds; round++) {
            var current = cluster.running(APP).entrySet().iterator().next();
            String oldTask = current.getKey();
            String oldNode = current.getValue();
            Path oldSandbox = cluster.agentWorkDir(oldNode).resolve("sandboxes").resolve(oldTask);
            if (writers.isEmpty() || !writers.get(writers.size() - 1).equals(oldTask)) {
                writers.add(oldTask);
            }
            await("the copy writes").atMost(DEADLINE).until(() -> Journal.synced(oldSandbox) >= 3);

            long killedAt = System.nanoTime();
            cluster.agent(oldNode).kill();
            String newTask = await("a new copy running").atMost(DEADLINE).pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster.running(APP).keySet().stream().filter(t -> !t.equals(oldTask)).findFirst()
                            .orElse(null), t -> t != null);
            long runningAt = System.nanoTime();
            await("its first line").atMost(DEADLINE).pollInterval(Duration.ofMillis(20))
                    .until(() -> Journal.countBy(Journal.read(journal), newTask) >= 1);
            long wroteAt = System.nanoTime();
            writers.add(newTask);

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
                    cluster.running(APP).get(newTask), toRunning.get(round - 1), toFirstWrite.get(round - 1), synced,
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
        assertTrue(lost == 0, lost + " synced writes lost");
    }
}
