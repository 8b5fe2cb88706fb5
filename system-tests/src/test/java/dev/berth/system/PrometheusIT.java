package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/observability/ over the real parts: a real Prometheus (Debian's package) scrapes a cluster's
 * services at their ports every second and loads {@code alert-rules.yml} itself, so the PromQL, the
 * rules and the dashboard are checked against what Berth really exports, not against a copy. The one
 * difference from deploy/: every rule's {@code for:} is shortened to {@value #TEST_FOR}, so an alert
 * fires within a test's deadline; its expressions are the file's. Each test is one step on one cluster;
 * the last kills an agent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String NODE_1 = "prom-node-1";
    private static final String NODE_2 = "prom-node-2";
    private static final String TEST_FOR = "2s";
    private static final Path RULES = Prometheus.OBSERVABILITY.resolve("alert-rules.yml");
    private static final Path DASHBOARD = Prometheus.OBSERVABILITY.resolve("grafana-dashboard.json");

    // Its short node timeout: the node-unreachable test counts on it.
    @RegisterExtension
    static final BerthClusterExtension berth = ObservedWorkload.twoNodeCluster(NODE_1, NODE_2);
    private static BerthCluster cluster;
    private static String gateway;
    private static Prometheus prometheus;
    /** Why the OOM kill could not be caused on this machine (no cgroups), if it could not; else null. */
    private static String noOomKills;

    @BeforeAll
    static void startPrometheus() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Prometheus.BINARY), "PrometheusIT skipped: no "
                + Prometheus.BINARY + " (Debian's prometheus package; .ci/run installs it)");
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE_1, NODE_2);
        BerthCluster.Router router = cluster.startRouter("prom-router");
        prometheus = Prometheus.start(Map.of(
                "prometheus.yml", Prometheus.scrapeConfig(cluster, router, "1s", List.of("alert-rules.yml"),
                        NODE_1, NODE_2),
                "alert-rules.yml", rulesWithShortFor()));
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** deploy/'s alert rules, every {@code for:} duration {@value #TEST_FOR}, nothing else changed. */
    private static String rulesWithShortFor() throws IOException {
        String rules = Files.readString(RULES);
        String shortened = rules.replaceAll("(?m)^(\\s+for:) \\S+$", "$1 " + TEST_FOR);
        assertTrue(!shortened.equals(rules), "the rule file has for: durations to shorten");
        return shortened;
    }

    @Test
    @Order(10)
    void everyAlertRulePassesPromtoolAndPrometheusLoadsEveryGroupWithoutAnError() throws Exception {
        // Given deploy/'s rule file
        Set<String> groups = matches("(?m)^  - name: (\\S+)$", Files.readString(RULES));
        Set<String> alerts = matches("(?m)^\\s+- alert: (\\S+)$", Files.readString(RULES));
        assertTrue(groups.size() >= 5 && alerts.size() >= 7, "groups " + groups + ", alerts " + alerts);

        // When promtool checks it, then it passes
        Process check = new ProcessBuilder(Prometheus.PROMTOOL.toString(), "check", "rules", RULES.toString())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(60, TimeUnit.SECONDS), "promtool did not end");
        assertEquals(0, check.exitValue(), "promtool check rules: " + output);

        // And Prometheus has loaded every group and every alert of it, each evaluated without an error
        await("every rule group loaded and evaluated").atMost(DEADLINE).untilAsserted(() -> {
            JsonNode loaded = prometheus.api("/api/v1/rules").path("groups");
            Set<String> loadedGroups = new TreeSet<>();
            Set<String> loadedAlerts = new TreeSet<>();
            for (JsonNode group : loaded) {
                loadedGroups.add(group.path("name").asText());
                for (JsonNode rule : group.path("rules")) {
                    loadedAlerts.add(rule.path("name").asText());
                    assertEquals("", rule.path("lastError").asText(""), "rule " + rule);
                    assertEquals("ok", rule.path("health").asText(), "rule " + rule);
                }
            }
            assertEquals(groups, loadedGroups, "log: " + prometheus.log());
            assertEquals(alerts, loadedAlerts);
        });
    }

    @Test
    @Order(20)
    void theRunningTasksPrometheusSumsAreTheTasksTheGatewayListsAsRunning() {
        // Given an app of three tasks that run and stay up
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "/team-a/sleepers", "cmd": "sleep 600", "instances": 3, "cpus": 0.02, "mem": 16,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1}""").status());
        await("three tasks running").atMost(DEADLINE).until(() -> gatewayRunning() == 3);

        // Then Prometheus, scraping the scheduler, sums the same tasks as running
        await("sum(berth_tasks{state=\"RUNNING\"}) as GET /v1/tasks").atMost(DEADLINE).untilAsserted(() ->
                assertEquals(gatewayRunning(), prometheus.value("sum(berth_tasks{state=\"RUNNING\"})")
                        .orElse(-1), 0.0));
        assertEquals(3.0, prometheus.value("sum(berth_tasks{state=\"RUNNING\"})").orElse(-1), 0.0);
        assertEquals(3.0, prometheus.value("sum(berth_tasks{state=\"RUNNING\",team=\"team-a\"})").orElse(-1), 0.0);
    }

    /** Tasks {@code GET /v1/tasks} lists in state RUNNING. */
    private static int gatewayRunning() {
        int running = 0;
        for (JsonNode task : Http.get(gateway + "/v1/tasks").json().path("tasks")) {
            if (task.path("state").asText().equals("RUNNING")) {
                running++;
            }
        }
        return running;
    }

    @Test
    @Order(30)
    void anOomKilledTaskIncrementsItsTeamsOomKillCounter() {
        // Given nodes that enforce memory limits (cgroups); without, nothing is OOM-killed: say so and skip
        noOomKills = ObservedWorkload.noOomKills(gateway, NODE_1).orElse(null);
        Assumptions.assumeTrue(noOomKills == null, "OOM-kill counter not checked: " + noOomKills);
        double before = prometheus.value("sum(berth_agent_oom_kills_total{team=\"team-b\"})").orElse(0);

        // When an app of 32 MiB holds half a GiB (a long backoff: one kill is all it causes)
        ObservedWorkload.create(gateway, ObservedWorkload.memoryHog("team-b"));

        // Then Prometheus sees the agent count the kill, under the app's team
        await("berth_agent_oom_kills_total of team-b up by one").atMost(DEADLINE).until(() ->
                prometheus.value("sum(berth_agent_oom_kills_total{team=\"team-b\"})").orElse(0) >= before + 1);
        assertEquals(before + 1, prometheus.value("sum(berth_agent_oom_kills_total{team=\"team-b\"})").orElse(0),
                0.0, "one kill, one count");
        assertEquals(200, Http.delete(gateway + "/v1/apps/team-b/memory-hog").status());
    }

    @Test
    @Order(40)
    void everyMetricTheDashboardUsesIsOneBerthExports() throws Exception {
        // Given the dashboard, valid JSON with a query in every panel
        JsonNode dashboard = JsonCodec.mapper().readTree(Files.readString(DASHBOARD));
        List<String> expressions = new ArrayList<>();
        collectExpressions(dashboard.path("panels"), expressions);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                expressions.add(variable.path("query").path("query").asText());
            }
        }
        Set<String> used = new TreeSet<>();
        expressions.forEach(expression -> used.addAll(metricNames(expression)));
        assertTrue(used.size() > 20, "metrics found in the dashboard: " + used);
        if (noOomKills != null) {
            used.remove("berth_agent_oom_kills_total"); // no cgroups here: no kill, so no series (test above)
        }

        // And a workload that makes the series only an event creates: a health-checked app updated (a
        // deployment that ends), an app no node fits (the queue), a message nobody can read (a dead letter)
        ObservedWorkload.updateHealthyWebApp(gateway, "team-b", DEADLINE);
        ObservedWorkload.create(gateway, ObservedWorkload.nowhereApp("team-b"));
        ObservedWorkload.sendDeadLetter(cluster);
        await("the update's deployment counted as succeeded").atMost(DEADLINE).until(() ->
                prometheus.value("sum(berth_deployments_total{outcome=\"succeeded\"})").orElse(0) >= 1);

        // Then every metric the dashboard names is one Prometheus scraped from Berth
        await("every dashboard metric scraped").atMost(DEADLINE).untilAsserted(() -> {
            Set<String> scraped = new TreeSet<>();
            prometheus.api("/api/v1/label/__name__/values").forEach(name -> scraped.add(name.asText()));
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(scraped);
            assertEquals(Set.of(), missing, "dashboard metrics Prometheus never scraped");
        });
    }

    /** Every panel's target expressions, rows' nested panels included; a panel without one fails. */
    private static void collectExpressions(JsonNode panels, List<String> into) {
        for (JsonNode panel : panels) {
            if (panel.path("type").asText().equals("row")) {
                collectExpressions(panel.path("panels"), into);
                continue;
            }
            assertFalse(panel.path("targets").isEmpty(), "panel without a query: " + panel.path("title"));
            for (JsonNode target : panel.path("targets")) {
                String expression = target.path("expr").asText();
                assertFalse(expression.isBlank(), "panel " + panel.path("title") + " has an empty query");
                into.add(expression);
            }
        }
    }

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "and", "or", "unless", "offset", "bool", "inf", "nan");

    /**
     * The metric names a PromQL expression (or a Grafana {@code label_values(metric, label)}) reads:
     * its identifiers once label matchers, ranges, strings, grouping clauses and function names are
     * taken away.
     */
    static Set<String> metricNames(String expression) {
        String bare = expression
                .replaceAll("\"[^\"]*\"", "\"\"")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "")
                .replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", "$1");
        Set<String> names = new TreeSet<>();
        Matcher identifier = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\()?").matcher(bare);
        while (identifier.find()) {
            if (identifier.group(2) == null && !PROMQL_WORDS.contains(identifier.group(1).toLowerCase())) {
                names.add(identifier.group(1));
            }
        }
        return names;
    }

    @Test
    @Order(50)
    void theNodeUnreachableAlertFiresWhenAnAgentIsKilled() {
        // Given both nodes reachable: the alert does not fire
        assertFalse(firing("BerthNodeUnreachable"), "fires before any agent died");

        // When one agent dies as in a crash
        cluster.agent(NODE_2).kill();

        // Then, once the scheduler counts the node unreachable, Prometheus fires the alert; and the
        // agent's failing scrape fires BerthAgentDown for that node
        await("BerthNodeUnreachable firing").atMost(DEADLINE).until(() -> firing("BerthNodeUnreachable"));
        await("BerthAgentDown firing for " + NODE_2).atMost(DEADLINE).until(() -> alerts("BerthAgentDown").stream()
                .anyMatch(a -> a.path("state").asText().equals("firing")
                        && a.path("labels").path("node").asText().equals(NODE_2)));
        JsonNode unreachable = alerts("BerthNodeUnreachable").get(0);
        assertEquals("warning", unreachable.path("labels").path("severity").asText());
        assertTrue(unreachable.path("annotations").path("summary").asText().startsWith("1 Berth nodes"),
                "summary: " + unreachable.path("annotations"));
    }

    private static boolean firing(String alert) {
        return alerts(alert).stream().anyMatch(a -> a.path("state").asText().equals("firing"));
    }

    /** The alerts of that name Prometheus holds (pending or firing). */
    private static List<JsonNode> alerts(String name) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode alert : prometheus.api("/api/v1/alerts").path("alerts")) {
            if (alert.path("labels").path("alertname").asText().equals(name)) {
                found.add(alert);
            }
        }
        return found;
    }

    private static Set<String> matches(String regex, String text) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = Pattern.compile(regex).matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
