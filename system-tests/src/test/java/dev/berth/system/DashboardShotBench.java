package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The screenshots of deploy/observability/grafana-dashboard.json in docs/observability.md, made from real
 * data: a cluster of two nodes runs a few minutes of what an operator watches for (two teams' apps, a
 * scale, a deployment, a crash-looping app, an OOM kill, a task no node fits, a dead letter, a routed app,
 * an open event stream, and last an agent killed), a real Prometheus scrapes it with
 * deploy/observability/prometheus.yml's jobs, and Berth's dashboard preview (the dashboard's own panels
 * and PromQL, drawn by deploy/observability/dashboard-preview/, because Grafana is not packaged for this
 * machine) is opened in headless Chromium and each of the dashboard's rows saved as
 * docs/images/dashboard-ROW.png. A bench and not an IT: it takes minutes, and its output is a picture for
 * a person to look at, not a verdict. Run with {@code bench/run DashboardShotBench}.
 */
@EnabledIf("dev.berth.system.DashboardShotBench#toolsPresent")
class DashboardShotBench {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String NODE_1 = "dash-node-1";
    private static final String NODE_2 = "dash-node-2";
    /** Slower than PrometheusIT's second: minutes of data, and the machine also runs the cluster. */
    private static final String SCRAPE = "2s";
    /** Scrapes between the workload's steps: about a minute each, so every step shows on the time axis. */
    private static final int SCRAPES_PER_STEP = 30;
    private static final int WIDTH = 1600;
    private static final Path OBSERVABILITY = Prometheus.OBSERVABILITY;
    private static final Path ROOT = OBSERVABILITY.getParent().getParent();
    private static final Path IMAGES = ROOT.resolve("docs/images");

    // Its short node timeout: the killed agent's node is counted unreachable soon.
    @RegisterExtension
    static final BerthClusterExtension berth = ObservedWorkload.twoNodeCluster(NODE_1, NODE_2);
    private static Prometheus prometheus;

    static boolean toolsPresent() {
        return Files.isExecutable(Prometheus.BINARY) && UiBrowser.present();
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void screenshotsOfTheDashboardOverAClusterAtWork() throws Exception {
        BerthCluster cluster = berth.cluster();
        String gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE_1, NODE_2);
        BerthCluster.Router router = cluster.startRouter("dash-router");
        // The preview and the dashboard JSON served by Prometheus itself (/user/...): the page's queries
        // go to its own origin, and the JSON drawn is deploy/'s file, not a copy.
        prometheus = Prometheus.start(
                Map.of("prometheus.yml", Prometheus.scrapeConfig(cluster, router, SCRAPE, List.of(), NODE_1, NODE_2)),
                List.of("--web.user-assets=" + OBSERVABILITY));
        long from = System.currentTimeMillis();

        try (EventStream watcher = new EventStream(gateway + "/v1/events", null)) {
            // Two teams' steady apps: sleepers, a routed web server, a health-checked app, one no node fits
            ObservedWorkload.create(gateway, sleepers("team-a", "batch", 3));
            ObservedWorkload.create(gateway, routedEcho());
            ObservedWorkload.create(gateway, sleepers("team-b", "workers", 2));
            ObservedWorkload.create(gateway, ObservedWorkload.nowhereApp("team-b"));
            await("team-a's apps running").atMost(DEADLINE).until(() ->
                    cluster.running("/team-a/batch").size() == 3 && cluster.running("/team-a/echo").size() == 2);
            awaitScrapes(SCRAPES_PER_STEP);

            // A scale and a deployment; an app that keeps failing; an app that outgrows its memory; a dead letter
            Http.Response scaled = Http.patchJson(gateway + "/v1/apps/team-a/batch", "{\"instances\": 6}");
            assertEquals(2, scaled.status() / 100, scaled.body());
            ObservedWorkload.updateHealthyWebApp(gateway, "team-b", DEADLINE);
            ObservedWorkload.create(gateway, """
                    {"id": "/team-b/crashy", "cmd": "sleep 2; exit 3", "instances": 1, "cpus": 0.02, "mem": 16,
                     "portDefinitions": [], "backoffSeconds": 1, "backoffFactor": 1.5, "maxLaunchDelaySeconds": 10}""");
            boolean oomKills = ObservedWorkload.noOomKills(gateway, NODE_1).isEmpty();
            if (oomKills) {
                ObservedWorkload.create(gateway, ObservedWorkload.memoryHog("team-b"));
            }
            ObservedWorkload.sendDeadLetter(cluster);
            await("a deployment ended, an app crash-looping, an OOM kill counted").atMost(DEADLINE).until(() ->
                    prometheus.value("sum(berth_deployments_total{outcome=\"succeeded\"})").orElse(0) >= 1
                            && prometheus.value("sum(berth_apps{status=\"CRASH_LOOPING\"})").orElse(0) >= 1
                            && (!oomKills || prometheus.value("sum(berth_agent_oom_kills_total)").orElse(0) >= 1));
            awaitScrapes(SCRAPES_PER_STEP);

            // Last, one agent dies as in a crash: its node turns unreachable, its target down
            cluster.agent(NODE_2).kill();
            await(NODE_2 + " unreachable").atMost(DEADLINE).until(() ->
                    prometheus.value("sum(berth_nodes{availability=\"UNREACHABLE\"})").orElse(0) >= 1);
            awaitScrapes(SCRAPES_PER_STEP / 2);
        }

        List<String> saved = screenshotEachRow(from, System.currentTimeMillis());
        System.out.println("DashboardShotBench: " + String.join(", ", saved));
    }

    private static String sleepers(String team, String name, int instances) {
        return """
                {"id": "/%s/%s", "cmd": "sleep 3600", "instances": %d, "cpus": 0.02, "mem": 16,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1}""".formatted(team, name, instances);
    }

    /** Two tasks serving HTTP behind the router at /team-a/echo: a route the router serves. */
    private static String routedEcho() {
        return """
                {"id": "/team-a/echo", "instances": 2, "cpus": 0.02, "mem": 48, "taskKillGracePeriodSeconds": 1,
                 "cmd": "printf %s \\"$BERTH_TASK_ID\\" > index.html; exec python3 -m http.server $PORT0",
                 "portDefinitions": [{"port": 0, "name": "http"}], "labels": {"BERTH_ROUTE_0_PATH": "/team-a/echo"},
                 "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": 30,
                                   "intervalSeconds": 2, "timeoutSeconds": 1, "maxConsecutiveFailures": 3}]}""";
    }

    /** Waits until Prometheus has scraped the gateway {@code scrapes} more times: time passing, observed. */
    private static void awaitScrapes(int scrapes) {
        String count = "count_over_time(up{job=\"berth-gateway\"}[1h])";
        double target = prometheus.value(count).orElse(0) + scrapes;
        await(scrapes + " more scrapes").atMost(Duration.ofSeconds(scrapes * 6L)).pollInterval(Duration.ofSeconds(1))
                .until(() -> prometheus.value(count).orElse(0) >= target);
    }

    /**
     * Opens the preview once per row of the dashboard (its {@code row} parameter), the time range the
     * workload ran, team-b chosen (the team with the crash loop and the OOM kill), and saves each as
     * docs/images/dashboard-ROW.png, ROW the first word of the row's title.
     */
    private static List<String> screenshotEachRow(long from, long to) throws Exception {
        JsonNode dashboard = JsonCodec.mapper().readTree(OBSERVABILITY.resolve("grafana-dashboard.json").toFile());
        List<String> saved = new ArrayList<>();
        Files.createDirectories(IMAGES);
        try (UiBrowser browser = UiBrowser.sized(WIDTH, 2000)) {
            for (JsonNode panel : dashboard.path("panels")) {
                if (!panel.path("type").asText().equals("row")) {
                    continue;
                }
                browser.driver.get(prometheus.url() + "/user/dashboard-preview/?scrape=" + SCRAPE + "&var-team=team-b"
                        + "&from=" + from + "&to=" + to + "&row=" + panel.path("id").asInt());
                browser.until(DEADLINE, d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-rendered")));
                Object errors = browser.driver.executeScript("return window.previewErrors;");
                assertEquals(List.of(), errors, "the preview's queries failed");
                String name = panel.path("title").asText().split("\\W+")[0].toLowerCase(Locale.ROOT);
                Path file = IMAGES.resolve("dashboard-" + name + ".png");
                Files.write(file, browser.driver.findElement(By.tagName("body")).getScreenshotAs(OutputType.BYTES));
                saved.add(ROOT.relativize(file) + " (" + Files.size(file) / 1024 + " KiB)");
            }
            assertEquals(List.of(), browser.scriptErrors());
        }
        return saved;
    }
}
