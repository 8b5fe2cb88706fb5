package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How long a rolling upgrade takes: an app of {@code bench.instances} (20) instances of a command with no
 * health checks (a task counts once RUNNING) is changed with the default strategy, and the clock runs from
 * the PUT until its deployment SUCCEEDED with every instance on the new version. The baseline, in the same
 * run and cluster: the time from the POST of the same app until all its instances are RUNNING. Repeated
 * {@code bench.rounds} (3) times with fresh apps. Run with
 * {@code bench/run DeploymentBench} (builds and packages what it needs); figures
 * go to stdout and docs/benchmarks.md.
 */
class DeploymentBench {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1)
            .agent("bench-node-1", "zone=a")
            .agent("bench-node-2", "zone=b");

    @Test
    void rollingTwentyInstancesAgainstStartingThem() {
        int instances = Integer.getInteger("bench.instances", 20);
        int rounds = Integer.getInteger("bench.rounds", 3);
        List<Long> starts = new ArrayList<>();
        List<Long> rolls = new ArrayList<>();
        BerthCluster cluster = berth.cluster();
        String gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, "bench-node-1", "bench-node-2");
        for (int round = 1; round <= rounds; round++) {
            String app = "/bench/roll-" + round;
            long t0 = System.nanoTime();
            Http.Response created = Http.postJson(gateway + "/v1/apps", app(app, instances, "v1"));
            assertEquals(201, created.status(), created.body());
            await("all running").atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                    .until(() -> cluster.running(app).size() == instances);
            starts.add((System.nanoTime() - t0) / 1_000_000);

            long t1 = System.nanoTime();
            Http.Response updated = Http.putJson(gateway + "/v1/apps" + app, app(app, instances, "v2"));
            assertEquals(200, updated.status(), updated.body());
            await("rolled").atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                    .until(() -> succeeded(gateway, app) && onlyVersion(gateway, app, 2, instances));
            rolls.add((System.nanoTime() - t1) / 1_000_000);
            System.out.printf("round %d: start %d instances %d ms, roll %d ms%n", round, instances,
                    starts.get(round - 1), rolls.get(round - 1));
            assertEquals(200, Http.delete(gateway + "/v1/apps" + app).status());
            await("gone").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + app).status() == 404);
        }
        long start = median(starts);
        long roll = median(rolls);
        System.out.printf("%d instances, %d rounds: start from scratch %s ms (median %d), rolling upgrade %s ms "
                + "(median %d); roll / start %.2f%n", instances, rounds, starts, start, rolls, roll, (double) roll / start);
    }

    private static boolean succeeded(String gateway, String app) {
        Http.Response list = Http.get(gateway + "/v1/deployments?app=" + app);
        return list.status() == 200 && !list.json().path("deployments").isEmpty()
                && list.json().path("deployments").get(0).path("state").asText().equals("SUCCEEDED");
    }

    /** Exactly {@code instances} tasks, all RUNNING, wanted, and of app version {@code version}. */
    private static boolean onlyVersion(String gateway, String app, long version, int instances) {
        JsonNode tasks = Http.get(gateway + "/v1/apps" + app).json().path("tasks");
        if (tasks.size() != instances) {
            return false;
        }
        for (JsonNode task : tasks) {
            if (!task.path("state").asText().equals("RUNNING") || task.path("appVersion").asLong() != version) {
                return false;
            }
        }
        return true;
    }

    private static String app(String id, int instances, String version) {
        return """
                {"id": "%s", "cmd": "sleep 600", "instances": %d, "cpus": 0.01, "mem": 8,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1, "env": {"VERSION": "%s"}}"""
                .formatted(id, instances, version);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
