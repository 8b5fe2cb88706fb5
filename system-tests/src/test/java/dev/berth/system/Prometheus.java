package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testkit.Directories;
import dev.berth.testkit.FreePorts;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus (Debian's {@code prometheus} package, {@code /usr/bin/prometheus}) run by a system
 * test on a free port, its configuration and rule files and its data in a scratch directory of its own.
 * Why a process and not a parser of {@code /q/metrics}: what operators rely on is what Prometheus makes
 * of the services' metrics (its scrape, its PromQL, its rule loading and alerting), so the tests ask it.
 */
final class Prometheus implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    /** The checkout's deploy/observability/: the scrape config, rules and dashboard the tests hold Berth to. */
    static final Path OBSERVABILITY = Path.of(System.getProperty("berth.root", "..")).toAbsolutePath().normalize()
            .resolve("deploy/observability");

    private final Path dir;
    private final int port;
    private final Process process;

    private Prometheus(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Writes {@code files} (name → content; {@code prometheus.yml} among them, the others what it names,
     * such as rule files) into a scratch directory and starts Prometheus on them, ready within a minute.
     */
    static Prometheus start(Map<String, String> files) {
        return start(files, List.of());
    }

    /** As {@link #start(Map)}, with more command-line flags (such as {@code --web.user-assets}). */
    static Prometheus start(Map<String, String> files, List<String> flags) {
        Path dir = Directories.scratch("prometheus-");
        int port = FreePorts.next();
        try {
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(dir.resolve(file.getKey()), file.getValue());
            }
            List<String> command = new ArrayList<>(List.of(BINARY.toString(),
                    "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port));
            command.addAll(flags);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            Prometheus prometheus = new Prometheus(dir, port, process);
            try {
                Awaitility.await("prometheus ready (log: " + dir.resolve("prometheus.log") + ")")
                        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException("prometheus exited: " + prometheus.log());
                            }
                            String ready = prometheus.url() + "/-/ready";
                            return Http.answers(ready) && Http.anonymous().get(ready).status() == 200;
                        });
            } catch (RuntimeException | Error e) {
                prometheus.close();
                throw e;
            }
            return prometheus;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * deploy/observability/prometheus.yml's jobs (the rules and the dashboard select by their names, and
     * the agents' {@code node} label) with this cluster's ports, scraped and evaluated every
     * {@code interval}; the agents of {@code nodes}, each with its own static config for its own label.
     */
    static String scrapeConfig(BerthCluster cluster, BerthCluster.Router router, String interval,
                               List<String> ruleFiles, String... nodes) {
        StringBuilder yaml = new StringBuilder("""
                global:
                  scrape_interval: %1$s
                  scrape_timeout: %1$s
                  evaluation_interval: %1$s
                """.formatted(interval));
        if (!ruleFiles.isEmpty()) {
            yaml.append("rule_files:\n");
            ruleFiles.forEach(file -> yaml.append("  - ").append(file).append('\n'));
        }
        yaml.append("scrape_configs:\n");
        job(yaml, "berth-gateway", List.of(cluster.gateway()));
        job(yaml, "berth-scheduler", cluster.schedulers());
        job(yaml, "berth-volume-service", List.of(cluster.volumes()));
        job(yaml, "berth-router", List.of(router.process()));
        job(yaml, "berth-agent", List.of());
        for (String node : nodes) {
            yaml.append("      - targets: ['").append(target(cluster.agent(node))).append("']\n")
                    .append("        labels:\n          node: ").append(node).append('\n');
        }
        return yaml.toString();
    }

    /** A job of {@code processes} (none: its static configs follow). */
    private static void job(StringBuilder yaml, String name, List<ServiceProcess> processes) {
        yaml.append("  - job_name: ").append(name).append('\n')
                .append("    metrics_path: /q/metrics\n")
                .append("    static_configs:\n");
        if (!processes.isEmpty()) {
            yaml.append("      - targets: [")
                    .append(processes.stream().map(p -> "'" + target(p) + "'").collect(Collectors.joining(", ")))
                    .append("]\n");
        }
    }

    private static String target(ServiceProcess process) {
        return process.url().substring("http://".length());
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The {@code data} of a GET of the HTTP API ({@code /api/v1/...}), which must have succeeded. */
    JsonNode api(String pathAndQuery) {
        Http.Response response = Http.anonymous().get(url() + pathAndQuery);
        if (response.status() != 200 || !"success".equals(response.json().path("status").asText())) {
            throw new AssertionError("prometheus " + pathAndQuery + " answered " + response.status() + ": "
                    + response.body());
        }
        return response.json().path("data");
    }

    /** An instant PromQL query's result (a vector's samples: {@code metric} and {@code value}). */
    JsonNode query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    /** The value of a query that yields at most one sample (a {@code sum(...)}); empty when it yields none. */
    OptionalDouble value(String promql) {
        JsonNode result = query(promql);
        if (result.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (result.size() > 1) {
            throw new AssertionError(promql + " yields " + result.size() + " samples: " + result);
        }
        return OptionalDouble.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    }

    /** What Prometheus wrote to its console: what it says when it will not load a file. */
    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Directories.deleteQuietly(dir);
    }
}
