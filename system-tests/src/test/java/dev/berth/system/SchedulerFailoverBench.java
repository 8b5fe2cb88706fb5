package dev.berth.system;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark 4, leader failover: how long from a SIGKILL of the active scheduler to the standby's
 * first placement. Not part of {@code verify}; run it with the {@code bench} profile:
 *
 * <pre>bench/run SchedulerFailoverBench [-Dbench.failovers=5]</pre>
 *
 * <p>Each round kills the active scheduler, submits a one-instance app right after, and takes the
 * moment its launch is committed on {@code berth.node-commands} (seen by a {@code read_committed}
 * consumer, as an agent would see it). A fresh scheduler is then started as the next standby. Prints
 * min / median / max; asserts nothing about time.
 */
class SchedulerFailoverBench {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(2)
            .agent("bench-node-1", "zone=a", Map.of("BERTH_AGENT_CPUS", "8", "BERTH_AGENT_MEM", "8192"));
    private static BerthCluster cluster;

    @BeforeAll
    static void awaitNode() {
        cluster = berth.cluster();
        await("node listed").atMost(DEADLINE)
                .until(() -> Http.get(cluster.gateway().url() + "/v1/nodes").body().contains("\"bench-node-1\""));
    }

    @Test
    void measureFailoverFromKillToFirstPlacement() {
        int rounds = Integer.getInteger("bench.failovers", 5);
        List<Long> toPlacement = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            ServiceProcess active = cluster.awaitActiveScheduler(DEADLINE);
            ServiceProcess standby = cluster.schedulers().stream()
                    .filter(s -> s != active && s.isAlive()).findFirst().orElseThrow();
            await("a standby is ready").atMost(DEADLINE).until(() -> "standby".equals(BerthCluster.roleOf(standby)));
            String appId = "/bench/failover-" + round;
            try (LaunchWatch watch = new LaunchWatch(cluster.kafkaBootstrap())) {
                long killedAt = System.nanoTime();
                active.kill();
                // Submitted right after the kill: nobody can place it until the standby has taken over.
                Http.Response created = Http.postJson(cluster.gateway().url() + "/v1/apps", """
                        {"id": "%s", "cmd": "sleep 600", "cpus": 0.01, "mem": 1, "portDefinitions": []}"""
                        .formatted(appId));
                // 201 if the standby took over and answered within the gateway's reply timeout, else 503:
                // the command is in Kafka either way, and the placement below proves it was not lost.
                assertTrue(created.status() == 201 || created.status() == 503, created.body());
                long placedAt = watch.awaitLaunch(appId, DEADLINE).nanoTime();
                toPlacement.add((placedAt - killedAt) / 1_000_000);
            }
            System.out.printf("failover %d: kill -> first placement %d ms%n", round, toPlacement.get(round - 1));
            // The next round needs a standby again.
            cluster.startScheduler();
        }
        System.out.printf("leader failover over %d kills: kill -> first placement %s (all: %s)%n", rounds,
                Spread.of(toPlacement), toPlacement);
    }
}
