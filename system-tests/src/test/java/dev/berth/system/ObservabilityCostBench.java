package dev.berth.system;

import dev.berth.testkit.OtlpReceiver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What metrics and tracing cost (issue 19: at most 5 % of end-to-end throughput and of one task's
 * latency). Two clusters run side by side on the machine, alike but for observation:
 * <ul>
 *   <li><b>observed</b>: every service traces ({@code BERTH_OTLP_ENDPOINT}, every trace kept, exported to
 *   a real OTLP/HTTP receiver in this JVM) and a real Prometheus scrapes every service every second;</li>
 *   <li><b>plain</b>: tracing off, nothing scrapes it.</li>
 * </ul>
 * Each has a scheduler, a gateway and two real agents. In alternating rounds (the side that goes first
 * alternates, so the machine's noise falls on both) each side gets the same work through its gateway:
 * <b>throughput</b>, {@code bench.apps} apps of {@code bench.instances} real {@code sleep} tasks created
 * one after another, timed from the first POST until the gateway lists every task running, then
 * deleted; and <b>one-task latency</b>, {@code bench.probes} times an app of one task, from the POST until
 * the gateway lists it running (polled every 5 ms). Micrometer records in both clusters (it is built
 * into every service and cannot be switched off at run time); what differs is the scraping, and every
 * span made, exported and received. Only correctness is asserted (every task runs, the observed side's
 * traces arrived, the plain side exported none); the figures go to stdout and docs/benchmarks.md.
 * Run: {@code bench/run ObservabilityCostBench}.
 */
class ObservabilityCostBench {
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    private record Side(String name, BerthCluster cluster, ServiceProcess gateway, List<Double> throughputs,
                        List<Double> latenciesMs) {
        Side(String name, BerthCluster cluster, ServiceProcess gateway) {
            this(name, cluster, gateway, new ArrayList<>(), new ArrayList<>());
        }
    }

    @Test
    void metricsAndTracingOnAgainstOff() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 6);
        int apps = Integer.getInteger("bench.apps", 10);
        int instances = Integer.getInteger("bench.instances", 10);
        int probes = Integer.getInteger("bench.probes", 10);
        // deploy/observability/prometheus.yml's interval; -Dbench.scrapeInterval=1s for a harsher test.
        String scrapeInterval = System.getProperty("bench.scrapeInterval", "15s");
        try (OtlpReceiver otlp = OtlpReceiver.start();
             BerthCluster observedCluster = BerthCluster.startWithSchedulers(1,
                     Map.of("BERTH_OTLP_ENDPOINT", otlp.endpoint()));
             BerthCluster plainCluster = BerthCluster.startWithSchedulers(1)) {
            Map<String, String> traced = Map.of("BERTH_OTLP_ENDPOINT", otlp.endpoint());
            ServiceProcess observedGateway = observedCluster.startGateway("gateway-observed", traced);
            for (String node : List.of("obs-node-1", "obs-node-2")) {
                observedCluster.startAgent(node, "zone=a", traced);
            }
            for (String node : List.of("plain-node-1", "plain-node-2")) {
                plainCluster.startAgent(node, "zone=a");
            }
            observedCluster.awaitNodesListed(DEADLINE, "obs-node-1", "obs-node-2");
            plainCluster.awaitNodesListed(DEADLINE, "plain-node-1", "plain-node-2");
            Side observed = new Side("observed", observedCluster, observedGateway);
            Side plain = new Side("plain", plainCluster, plainCluster.gateway());
            try (Prometheus prometheus = Prometheus.start(Map.of("prometheus.yml", scrapeConfig(observedCluster,
                    observedGateway, scrapeInterval)))) {
                // Warm-up: one round each, not counted.
                for (Side side : List.of(observed, plain)) {
                    throughput(side, apps, instances, "warm");
                    oneTask(side, probes, "warm");
                }
                for (int round = 0; round < rounds; round++) {
                    List<Side> order = round % 2 == 0 ? List.of(observed, plain) : List.of(plain, observed);
                    for (Side side : order) {
                        side.throughputs().add(throughput(side, apps, instances, "r" + round));
                        side.latenciesMs().addAll(oneTask(side, probes, "r" + round));
                    }
                    System.out.printf("round %d: throughput observed %.1f / plain %.1f tasks/s%n", round,
                            last(observed.throughputs()), last(plain.throughputs()));
                }
                assertTrue(prometheus.value("count(up{job=\"berth\"} == 1)").orElse(0) >= 4,
                        "Prometheus scraped the observed cluster's services");
            }
            assertTrue(otlp.spans().stream().anyMatch(s -> s.serviceName().equals("berth-node-agent")),
                    "the observed side's agents exported their spans");
            report(observed, plain, rounds, apps * instances, probes, otlp.spans().size(), scrapeInterval);
        }
    }

    /** Creates the apps one after another and times until the gateway lists every task running; then deletes them. */
    private static double throughput(Side side, int apps, int instances, String round) {
        List<String> ids = new ArrayList<>();
        long began = System.nanoTime();
        for (int i = 0; i < apps; i++) {
            String id = "/cost/" + round + "-" + i;
            ids.add(id);
            Http.Response created = Http.postJson(side.gateway().url() + "/v1/apps", """
                    {"id": "%s", "cmd": "sleep 600", "cpus": 0.001, "mem": 4, "instances": %d,
                     "portDefinitions": []}""".formatted(id, instances));
            assertEquals(201, created.status(), created.body());
        }
        int wanted = apps * instances;
        await(side.name() + ": " + wanted + " tasks running").atMost(DEADLINE).pollInterval(Duration.ofMillis(20))
                .until(() -> running(side, "/cost/" + round + "-") >= wanted);
        double seconds = (System.nanoTime() - began) / 1e9;
        deleteAll(side, ids);
        return wanted / seconds;
    }

    /** One app of one task at a time: milliseconds from its POST until the gateway lists it running. */
    private static List<Double> oneTask(Side side, int probes, String round) {
        List<Double> latencies = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < probes; i++) {
            String id = "/cost-one/" + round + "-" + i;
            ids.add(id);
            long began = System.nanoTime();
            Http.Response created = Http.postJson(side.gateway().url() + "/v1/apps", """
                    {"id": "%s", "cmd": "sleep 600", "cpus": 0.001, "mem": 4, "portDefinitions": []}""".formatted(id));
            assertEquals(201, created.status(), created.body());
            await(side.name() + ": " + id + " running").atMost(DEADLINE).pollInterval(Duration.ofMillis(5))
                    .until(() -> Http.get(side.gateway().url() + "/v1/apps" + id).json().path("tasksRunning").asInt() == 1);
            latencies.add((System.nanoTime() - began) / 1e6);
        }
        deleteAll(side, ids);
        return latencies;
    }

    private static int running(Side side, String idPrefix) {
        int count = 0;
        for (var task : Http.get(side.gateway().url() + "/v1/tasks?state=running&limit=1000").json().path("tasks")) {
            if (task.path("appId").asText().startsWith(idPrefix)) {
                count++;
            }
        }
        return count;
    }

    private static void deleteAll(Side side, List<String> ids) {
        for (String id : ids) {
            Http.Response deleted = Http.delete(side.gateway().url() + "/v1/apps" + id);
            assertTrue(deleted.status() == 200 || deleted.status() == 202, deleted.status() + " " + deleted.body());
        }
        await(side.name() + ": apps gone").atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> ids.stream().allMatch(id -> Http.get(side.gateway().url() + "/v1/apps" + id).status() == 404));
    }

    private static String scrapeConfig(BerthCluster cluster, ServiceProcess gateway, String interval) {
        List<ServiceProcess> targets = new ArrayList<>(cluster.schedulers());
        targets.add(gateway);
        targets.add(cluster.agent("obs-node-1"));
        targets.add(cluster.agent("obs-node-2"));
        return """
                global:
                  scrape_interval: %s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: berth
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: [%s]
                """.formatted(interval, targets.stream().map(p -> "'" + p.url().substring("http://".length()) + "'")
                .collect(Collectors.joining(", ")));
    }

    private static void report(Side observed, Side plain, int rounds, int tasks, int probes, int spans,
                               String scrapeInterval) {
        double throughputOn = median(observed.throughputs());
        double throughputOff = median(plain.throughputs());
        String text = """
                observability cost: %d rounds; throughput %d tasks through the gateway; one-task latency %d probes a round
                  throughput (median of rounds)  observed %.1f tasks/s  plain %.1f tasks/s  ratio %.3f  (cost %.1f %%)
                  rounds observed %s
                  rounds plain    %s
                  one task p50    observed %.1f ms  plain %.1f ms  ratio %.3f
                  one task p90    observed %.1f ms  plain %.1f ms  ratio %.3f
                  spans received  %d; Prometheus scraped the observed side every %s
                """.formatted(rounds, tasks, probes, throughputOn, throughputOff, throughputOn / throughputOff,
                100 * (1 - throughputOn / throughputOff), format(observed.throughputs()), format(plain.throughputs()),
                percentile(observed.latenciesMs(), 50), percentile(plain.latenciesMs(), 50),
                percentile(observed.latenciesMs(), 50) / percentile(plain.latenciesMs(), 50),
                percentile(observed.latenciesMs(), 90), percentile(plain.latenciesMs(), 90),
                percentile(observed.latenciesMs(), 90) / percentile(plain.latenciesMs(), 90), spans, scrapeInterval);
        System.out.println(text);
        try {
            Files.writeString(Path.of("target", "observability-cost.txt"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String format(List<Double> values) {
        return values.stream().map(v -> String.format("%.1f", v)).collect(Collectors.joining(" "));
    }

    private static double last(List<Double> values) {
        return values.get(values.size() - 1);
    }

    private static double median(List<Double> values) {
        return percentile(values, 50);
    }

    private static double percentile(List<Double> values, int percent) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1));
    }
}
