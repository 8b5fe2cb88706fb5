package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.Berth;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code berth} command line against the packaged services and the real Keycloak: logins by
 * password, as a team's service account and by the device grant (confirmed in a headless Chromium); a
 * directory of two apps deployed with {@code --wait}; an update diffed and then followed through its
 * deployment; a failing update rolled back and an unplaceable app timed out (exit 4); a paused canary promoted
 * and the next one rolled back; a refused
 * definition; tasks, a log, deployments, events, the queue and nodes, each listed and shown; an app's
 * logs followed while its two tasks write; a stateful app's volume listed, shown, followed through its
 * history and deleted; an app rolled back; a viewer's scale refused; an expired cached token renewed
 * silently; and a gateway that is not there. The command line runs in-process through
 * {@link Berth#run} (its exit code returned, not exited), and as {@code bin/berth} itself where a
 * process matters (a first run, a follow that only stops when killed). Each test is one step of that story, in order, on one cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String WEB = "/team-a/cli-web";
    private static final String WORKER = "/team-a/cli-worker";
    private static final String TEAM_B_APP = "/team-b/cli-b";
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService().agent("cli-node-1", "zone=a");
    private static BerthCluster cluster;
    private static String gateway;
    private static Path otto;
    private static Path vera;
    private static Path ci;
    private static Path apps;

    /** One run of the command line: its exit code and what it printed. */
    private record Run(int exit, String out, String err) {
        String all() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    @BeforeAll
    static void cluster() throws IOException {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, "cli-node-1");
        Path work = Files.createTempDirectory("berth-cli-it-");
        otto = work.resolve("otto");
        vera = work.resolve("vera");
        ci = work.resolve("ci");
        apps = Files.createDirectories(work.resolve("apps"));
    }

    private static Run berth(Path config, String... args) {
        Map<String, String> env = Map.of("BERTH_GATEWAY", gateway, "BERTH_CONFIG_DIR", config.toString(), "COLUMNS", "200");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Berth.run(args, env, new PrintWriter(out), new PrintWriter(err), false);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String app(String id, String cmd) {
        return """
                {"id": "%s", "cmd": "%s", "instances": 1, "cpus": 0.01, "mem": 16,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1}""".formatted(id, cmd);
    }

    @Test
    @Order(10)
    void ottoLogsInWithHisPasswordAndIsAnOperatorOfTeamA() throws IOException {
        Run login = berth(otto, "login", "--username", "otto", "--password", "otto-password");

        assertEquals(0, login.exit(), login.all());
        assertTrue(login.out().contains("otto (OPERATOR, teams: team-a)"), login.all());
        Path tokens = otto.resolve("tokens.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)));
        assertTrue(Files.readString(tokens).contains(gateway), "kept under the gateway's URL");
        Run whoami = berth(otto, "whoami", "-o", "json");
        assertEquals(0, whoami.exit(), whoami.all());
        assertEquals("otto", JsonCodec.mapper().readTree(whoami.out()).path("name").asText());
    }

    @Test
    @Order(20)
    void binBerthRunsTheCommandLineAsAProcess() throws Exception {
        Run help = binBerth(Map.of(), "--help");
        assertEquals(0, help.exit(), help.all());
        assertTrue(help.out().contains("login") && help.out().contains("app"), help.all());

        Run whoami = binBerth(Map.of("BERTH_GATEWAY", gateway, "BERTH_CONFIG_DIR", otto.toString()), "whoami");
        assertEquals(0, whoami.exit(), whoami.all());
        assertTrue(whoami.out().contains("otto (OPERATOR, teams: team-a)"), whoami.all());
    }

    @Test
    @Order(30)
    void aDirectoryOfTwoAppsIsDeployedAndWaitedFor() throws IOException {
        Files.writeString(apps.resolve("web.json"), app(WEB, "sleep 600"));
        Files.writeString(apps.resolve("worker.json"), app(WORKER, "echo cli-worker-says-hello; exec sleep 601"));

        Run deploy = berth(otto, "app", "deploy", "-f", apps.toString(), "--wait", "--timeout", "120s");

        assertEquals(0, deploy.exit(), deploy.all());
        assertTrue(deploy.out().contains("created " + WEB + " (version 1)"), deploy.all());
        assertTrue(deploy.out().contains("created " + WORKER + " (version 1)"), deploy.all());
        assertTrue(deploy.out().contains(WEB + ": version 1 runs, 1/1 running"), deploy.all());
        // --wait returned only once both run: the gateway says so at once, nothing to wait for here.
        assertEquals(1, cluster.running(WEB).size());
        assertEquals(1, cluster.running(WORKER).size());

        Run list = berth(otto, "app", "list");
        assertEquals(0, list.exit(), list.all());
        assertTrue(list.out().lines().anyMatch(line -> line.startsWith(WEB) && line.contains("RUNNING") && line.contains("1/1")),
                list.all());
        Run json = berth(otto, "app", "list", "-o", "json");
        List<String> ids = new ArrayList<>();
        JsonCodec.mapper().readTree(json.out()).forEach(app -> ids.add(app.path("id").asText()));
        assertEquals(List.of(WEB, WORKER), ids);
    }

    @Test
    @Order(40)
    void anUpdateIsFollowedThroughItsDeployment() throws IOException {
        Files.writeString(apps.resolve("web.json"), app(WEB, "sleep 602"));
        Run diff = berth(otto, "app", "diff", "-f", apps.toString());
        assertEquals(0, diff.exit(), diff.all());
        assertTrue(diff.out().contains("~ cmd: \"sleep 600\" -> \"sleep 602\""), diff.all());
        assertTrue(diff.out().contains(WORKER + ": no changes"), diff.all());

        Run deploy = berth(otto, "app", "deploy", "-f", apps.resolve("web.json").toString(), "--wait", "--timeout", "120s");

        assertEquals(0, deploy.exit(), deploy.all());
        assertTrue(deploy.out().contains("updated " + WEB + " (version 2)"), deploy.all());
        assertTrue(deploy.out().contains(WEB + ": version 2 deployed, 1/1 running"), deploy.all());
        Run versions = berth(otto, "app", "versions", WEB);
        assertTrue(versions.out().contains("updated") && versions.out().contains("created"), versions.all());
        Run show = berth(otto, "app", "show", WEB);
        assertEquals(0, show.exit(), show.all());
        assertTrue(show.out().contains("sleep 602") && show.out().contains("cli-node-1"), show.all());
    }

    @Test
    @Order(50)
    void tasksTheirLogsDeploymentsTheQueueAndNodesAreShown() throws IOException {
        Run tasks = berth(otto, "task", "list", "--app", WORKER, "-o", "json");
        assertEquals(0, tasks.exit(), tasks.all());
        String workerTask = JsonCodec.mapper().readTree(tasks.out()).path(0).path("id").asText();
        Run table = berth(otto, "task", "list", "--app", WORKER);
        assertTrue(table.out().lines().anyMatch(line -> line.startsWith(workerTask) && line.contains("RUNNING")
                && line.contains("cli-node-1")), table.all());

        await("the worker's greeting in its log").atMost(DEADLINE).untilAsserted(() -> {
            Run logs = berth(otto, "logs", workerTask, "--tail", "5");
            assertEquals(0, logs.exit(), logs.all());
            assertTrue(logs.out().contains("cli-worker-says-hello"), logs.all());
        });
        Run noSuchTask = berth(otto, "logs", "team-a_cli-web.nope");
        assertEquals(3, noSuchTask.exit(), noSuchTask.all());

        Run deployments = berth(otto, "deployment", "list", "--app", WEB);
        assertEquals(0, deployments.exit(), deployments.all());
        assertTrue(deployments.out().lines().anyMatch(line -> line.contains("SUCCEEDED") && line.contains("1->2")),
                deployments.all());

        Run events = berth(otto, "events", "--type", "dev.berth.deployment.");
        assertEquals(0, events.exit(), events.all());
        assertTrue(events.out().lines().anyMatch(line -> line.contains("dev.berth.deployment.succeeded")), events.all());

        Run queue = berth(otto, "queue");
        assertEquals(0, queue.exit(), queue.all());

        Run nodes = berth(otto, "node", "list");
        assertTrue(nodes.out().lines().anyMatch(line -> line.startsWith("cli-node-1") && line.contains("ACTIVE")), nodes.all());
        Run drain = berth(otto, "node", "drain", "cli-node-1");
        assertEquals(2, drain.exit(), drain.all());
        assertTrue(drain.err().contains("Forbidden"), drain.all());
    }

    @Test
    @Order(51)
    void aTaskANodeADeploymentAndAnAppsEventsAreShownOneByOne() throws IOException {
        String workerTask = JsonCodec.mapper().readTree(berth(otto, "task", "list", "--app", WORKER, "-o", "json").out())
                .path(0).path("id").asText();
        Run task = berth(otto, "task", "show", workerTask);
        assertEquals(0, task.exit(), task.all());
        assertTrue(task.out().contains("app:") && task.out().contains(WORKER) && task.out().contains("cli-node-1"), task.all());
        Run yaml = berth(otto, "task", "show", workerTask, "-o", "yaml");
        assertTrue(yaml.out().startsWith("id: " + workerTask + "\n") && yaml.out().contains("\nappId: " + WORKER + "\n"),
                yaml.all());

        Run node = berth(otto, "node", "show", "cli-node-1");
        assertEquals(0, node.exit(), node.all());
        assertTrue(node.out().contains("isolation:") && node.out().contains("mode:") && node.out().contains(workerTask),
                node.all());

        JsonNode deployment = JsonCodec.mapper().readTree(berth(otto, "deployment", "list", "--app", WEB, "-o", "json").out()).path(0);
        Run shown = berth(otto, "deployment", "show", deployment.path("id").asText());
        assertEquals(0, shown.exit(), shown.all());
        assertTrue(shown.out().contains("versions: 1->2") && shown.out().contains("SUCCEEDED"), shown.all());
        assertTrue(shown.out().lines().anyMatch(line -> line.startsWith("STEP")), shown.all());

        Run events = berth(otto, "events", "--app", WEB, "-o", "json");
        assertEquals(0, events.exit(), events.all());
        List<String> about = new ArrayList<>();
        for (String line : events.out().lines().toList()) {
            about.add(JsonCodec.mapper().readTree(line).path("data").path("appId").asText());
        }
        assertTrue(about.size() >= 3, events.all());
        assertEquals(List.of(WEB), about.stream().distinct().toList(), events.all());
    }

    @Test
    @Order(52)
    void anAppsLogsAreFollowedWhileItsTasksWrite() throws Exception {
        String ticker = "/team-a/cli-ticker";
        Path file = apps.resolveSibling("ticker.json");
        Files.writeString(file, app(ticker, "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done")
                .replace("\"instances\": 1", "\"instances\": 2"));
        assertEquals(0, berth(otto, "app", "deploy", "-f", file.toString(), "--wait", "--timeout", "120s").exit());

        Process follow = binBerthProcess(Map.of("BERTH_GATEWAY", gateway, "BERTH_CONFIG_DIR", otto.toString()),
                "logs", ticker, "-f", "--tail", "1");
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(lines::add);
            } catch (IOException ended) {
                // the process was stopped: what it printed is in lines
            }
        });
        reader.start();
        try {
            // Each instance's ticks keep coming while the command runs, in order, each line prefixed.
            await("ticks of both instances, as they are written").atMost(DEADLINE).untilAsserted(() -> {
                for (String instance : List.of("#0 | ", "#1 | ")) {
                    List<Integer> ticks = lines.stream().filter(line -> line.startsWith(instance + "tick-"))
                            .map(line -> Integer.parseInt(line.substring((instance + "tick-").length()))).toList();
                    assertTrue(ticks.size() >= 5, instance + " " + lines);
                    assertEquals(ticks.stream().sorted().toList(), ticks, lines.toString());
                    assertEquals(ticks.size() - 1, ticks.get(ticks.size() - 1) - ticks.get(0), "none missed: " + lines);
                }
            });
            assertTrue(follow.isAlive(), "-f keeps following");
        } finally {
            follow.destroy();
            follow.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
        }
        assertEquals(0, berth(otto, "app", "delete", ticker).exit());
    }

    @Test
    @Order(53)
    void aStatefulAppsVolumeIsListedShownFollowedThroughItsHistoryAndDeleted() throws IOException {
        String db = "/team-a/cli-db";
        Path file = apps.resolveSibling("db.json");
        Files.writeString(file, app(db, "exec sleep 600").replace("\"portDefinitions\": []", """
                "portDefinitions": [], "container": {"type": "MESOS", "volumes": [
                  {"containerPath": "data", "mode": "RW", "persistent": {"size": 16}}]}"""));
        Run deploy = berth(otto, "app", "deploy", "-f", file.toString(), "--wait", "--timeout", "120s");
        assertEquals(0, deploy.exit(), deploy.all());

        String volume = await("the volume attached").atMost(DEADLINE).until(() -> {
            JsonNode listed = JsonCodec.mapper().readTree(berth(otto, "volume", "list", "--app", db, "-o", "json").out()).path(0);
            return "ATTACHED".equals(listed.path("state").asText()) ? listed.path("id").asText() : null;
        }, java.util.Objects::nonNull);
        Run table = berth(otto, "volume", "list", "--app", db);
        assertTrue(table.out().lines().anyMatch(line -> line.startsWith(volume) && line.contains("ATTACHED")
                && line.contains("cli-node-1") && line.contains("db-0")), table.all());
        Run shown = berth(otto, "volume", "show", volume);
        assertTrue(shown.out().contains("attached:") && shown.out().contains("fencing epoch:"), shown.all());

        assertEquals(0, berth(otto, "app", "scale", db, "0", "--wait", "--timeout", "120s").exit());
        await("the volume released").atMost(DEADLINE).until(() -> berth(otto, "volume", "show", volume, "-o", "json").out()
                .contains("\"RELEASED\""));
        Run history = berth(otto, "volume", "history", volume);
        assertEquals(0, history.exit(), history.all());
        List<String> kinds = history.out().lines().skip(1).map(line -> line.split("\\s+")[1]).toList();
        assertEquals("CREATED", kinds.get(0), history.all());
        assertTrue(kinds.contains("ATTACHED") && kinds.contains("RELEASED"), history.all());

        Run refused = berth(otto, "volume", "delete", volume);
        assertEquals(2, refused.exit(), refused.all());
        assertTrue(refused.err().contains("Forbidden") && refused.err().contains("berth-admin"), refused.all());
        Path ada = otto.resolveSibling("ada");
        assertEquals(0, berth(ada, "login", "--username", "ada", "--password", "ada-password").exit());
        Run delete = berth(ada, "volume", "delete", volume);
        assertEquals(0, delete.exit(), delete.all());
        assertTrue(delete.out().startsWith("delet"), delete.all());
        await("the volume deleted").atMost(DEADLINE).until(() -> berth(otto, "volume", "show", volume, "-o", "json").out()
                .contains("\"DELETED\""));
        Run again = berth(ada, "volume", "delete", "team-a_cli-db.no-such-volume");
        assertEquals(3, again.exit(), again.all());
        assertEquals(0, berth(otto, "app", "delete", db).exit());
    }

    @Test
    @Order(54)
    void anAppIsRolledBackToTheVersionBeforeItsCurrentOne() throws IOException {
        Run rollback = berth(otto, "app", "rollback", WEB, "--wait", "--timeout", "120s");

        assertEquals(0, rollback.exit(), rollback.all());
        assertTrue(rollback.out().contains("rolling back " + WEB + " to version 1 (as version 3)"), rollback.all());
        assertTrue(rollback.out().contains(WEB + ": version 3 deployed, 1/1 running"), rollback.all());
        assertEquals("sleep 600", Http.get(gateway + "/v1/apps" + WEB).json().path("cmd").asText());
        Run versions = berth(otto, "app", "versions", WEB, "-o", "json");
        assertEquals("rolled-back", JsonCodec.mapper().readTree(versions.out()).path(0).path("change").asText(), versions.all());
    }

    @Test
    @Order(60)
    void aWaitEndsWithExitCodeFourWhenTheDeploymentIsRolledBackOrTheTimeoutPasses() throws IOException {
        // Healthy once it wrote "ready" (the grace covers the moment before); the update never writes it,
        // so its new instances fail their check until the deployment gives up and rolls back.
        Path flaky = apps.resolveSibling("flaky.json");
        String good = """
                {"id": "/team-a/cli-flaky", "cmd": "touch ready; exec sleep 600", "instances": 1, "cpus": 0.2, "mem": 16,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1,
                 "upgradeStrategy": {"autoRollback": true, "progressDeadlineSeconds": 20},
                 "healthChecks": [{"protocol": "COMMAND", "command": {"value": "test -f ready"}, "gracePeriodSeconds": 2,
                                   "intervalSeconds": 3, "timeoutSeconds": 3, "maxConsecutiveFailures": 1, "delaySeconds": 0}]}""";
        // (A command check runs in the task's cgroup: at 0.01 cpus, starting it took over a second on a busy
        // machine and the good version failed its check; the update's fails at once, its file missing.)
        Files.writeString(flaky, good);
        Run healthy = berth(otto, "app", "deploy", "-f", flaky.toString(), "--wait", "--timeout", "120s");
        assertEquals(0, healthy.exit(), healthy.all());
        assertTrue(healthy.out().contains("1/1 running, 1 healthy"), healthy.all());
        Files.writeString(flaky, good.replace("touch ready; exec sleep 600", "exec sleep 600"));

        Run failing = berth(otto, "app", "deploy", "-f", flaky.toString(), "--wait", "--timeout", "120s");

        assertEquals(4, failing.exit(), failing.all());
        assertTrue(failing.err().contains("/team-a/cli-flaky: deployment") && failing.err().contains("ROLLED_BACK"),
                failing.all());

        Path huge = apps.resolveSibling("huge.json");
        Files.writeString(huge, app("/team-a/cli-huge", "sleep 600").replace("\"cpus\": 0.01", "\"cpus\": 512"));
        Run timedOut = berth(otto, "app", "deploy", "-f", huge.toString(), "--wait", "--timeout", "3s");
        assertEquals(4, timedOut.exit(), timedOut.all());
        assertTrue(timedOut.err().contains("/team-a/cli-huge: not done by the timeout"), timedOut.all());
        assertEquals(0, berth(otto, "app", "delete", "/team-a/cli-huge").exit());
        assertEquals(0, berth(otto, "app", "delete", "/team-a/cli-flaky").exit());
    }

    @Test
    @Order(70)
    void aPausedCanaryIsPromotedAndTheNextOneRolledBack() throws IOException {
        String app = "/team-a/cli-canary";
        Path canary = apps.resolveSibling("canary.json");
        String v1 = app(app, "sleep 600").replace("\"instances\": 1,",
                "\"instances\": 2, \"upgradeStrategy\": {\"canary\": 1, \"autoPromote\": false},");
        Files.writeString(canary, v1);
        assertEquals(0, berth(otto, "app", "deploy", "-f", canary.toString(), "--wait", "--timeout", "120s").exit());

        Files.writeString(canary, v1.replace("sleep 600", "sleep 603"));
        assertEquals(0, berth(otto, "app", "deploy", "-f", canary.toString()).exit());
        String first = pausedDeployment(app);
        Run promote = berth(otto, "deployment", "promote", first);
        assertEquals(0, promote.exit(), promote.all());
        assertTrue(promote.out().contains("promoted " + first + " of " + app), promote.all());
        await("the promoted deployment done").atMost(DEADLINE).until(() ->
                Http.get(gateway + "/v1/deployments/" + first).json().path("state").asText().equals("SUCCEEDED"));

        Files.writeString(canary, v1.replace("sleep 600", "sleep 604"));
        assertEquals(0, berth(otto, "app", "deploy", "-f", canary.toString()).exit());
        String second = pausedDeployment(app);
        Run rollback = berth(otto, "deployment", "rollback", second);
        assertEquals(0, rollback.exit(), rollback.all());
        assertTrue(rollback.out().contains("ROLLED_BACK"), rollback.all());
        Run again = berth(otto, "deployment", "promote", second);
        assertEquals(2, again.exit(), "an ended deployment cannot be promoted (409): " + again.all());
        assertEquals(0, berth(otto, "app", "delete", app).exit());
    }

    /** The id of the app's deployment once it is PAUSED on its canary, as berth deployment list shows it. */
    private static String pausedDeployment(String app) {
        return await("a paused deployment of " + app).atMost(DEADLINE).until(() -> {
            Run paused = berth(otto, "deployment", "list", "--app", app, "--state", "paused", "-o", "json");
            JsonNode list = JsonCodec.mapper().readTree(paused.out());
            return list.isEmpty() ? null : list.path(0).path("id").asText();
        }, java.util.Objects::nonNull);
    }

    @Test
    @Order(80)
    void aBadDefinitionIsRefusedWithItsFieldError() throws IOException {
        Path bad = apps.resolveSibling("bad.json");
        Files.writeString(bad, """
                {"id": "/team-a/cli-bad", "cmd": "sleep 600", "cpus": -1, "mem": 16}""");

        Run deploy = berth(otto, "app", "deploy", "-f", bad.toString());

        assertEquals(2, deploy.exit(), deploy.all());
        assertTrue(deploy.err().lines().anyMatch(line -> line.contains("  cpus: ")), deploy.all());
        assertEquals(404, Http.get(gateway + "/v1/apps/team-a/cli-bad").status());
    }

    @Test
    @Order(90)
    void aViewerCannotScaleAndDoesNotSeeAnotherTeamsApp() {
        assertEquals(201, Http.postJson(gateway + "/v1/apps", app(TEAM_B_APP, "sleep 600")
                .replace("\"instances\": 1", "\"instances\": 0")).status());
        assertEquals(0, berth(vera, "login", "--username", "vera", "--password", "vera-password").exit());

        Run own = berth(vera, "app", "scale", TEAM_B_APP, "2");
        assertEquals(2, own.exit(), own.all());
        assertTrue(own.err().contains("Forbidden"), own.all());

        Run other = berth(vera, "app", "scale", WEB, "3");
        assertEquals(3, other.exit(), other.all());
        assertTrue(other.err().contains(WEB), other.all());
        assertEquals(1, Http.get(gateway + "/v1/apps" + WEB).json().path("instances").asInt());
    }

    @Test
    @Order(100)
    void aTeamsServiceAccountLogsInScalesRestartsAndKillsItsTeamsTasks() {
        Run login = berth(ci, "login", "--client-id", "berth-ci-team-a", "--client-secret", "berth-ci-team-a-secret");
        assertEquals(0, login.exit(), login.all());
        assertTrue(login.out().contains("OPERATOR, teams: team-a"), login.all());

        Run scale = berth(ci, "app", "scale", WORKER, "2", "--wait", "--timeout", "120s");

        assertEquals(0, scale.exit(), scale.all());
        assertTrue(scale.out().contains(WORKER + ": version 2 runs, 2/2 running"), scale.all());

        Run restart = berth(ci, "app", "restart", WORKER, "--wait", "--timeout", "120s");
        assertEquals(0, restart.exit(), restart.all());
        assertTrue(restart.out().contains(WORKER + ": version 3 deployed, 2/2 running"), restart.all());

        String task = cluster.running(WORKER).keySet().iterator().next();
        Run kill = berth(ci, "task", "kill", task, "--scale");
        assertEquals(0, kill.exit(), kill.all());
        assertTrue(kill.out().contains("killed " + task + " and scaled its app down (version 4)"), kill.all());
        await("one worker left").atMost(DEADLINE).until(() -> cluster.running(WORKER).size() == 1);
    }

    @Test
    @Order(110)
    void anExpiredAccessTokenIsRenewedSilently() throws IOException {
        String before = expireCachedToken(otto);

        Run whoami = berth(otto, "whoami");

        assertEquals(0, whoami.exit(), whoami.all());
        assertTrue(whoami.out().contains("otto"), whoami.all());
        JsonNode renewed = cachedLogin(otto);
        assertNotEquals(before, renewed.path("accessToken").asText(), "a new access token was kept");
        assertTrue(renewed.path("expiresAt").asLong() > System.currentTimeMillis() / 1000);

        // A service account has no refresh token: a new one is fetched with its secret.
        String ciBefore = expireCachedToken(ci);
        Run list = berth(ci, "app", "list");
        assertEquals(0, list.exit(), list.all());
        assertNotEquals(ciBefore, cachedLogin(ci).path("accessToken").asText());
    }

    @Test
    @Order(120)
    void anOperatorDeletesHisAppAndLogsOut() {
        Run delete = berth(otto, "app", "delete", WEB);
        assertEquals(0, delete.exit(), delete.all());
        await("the app gone").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + WEB).status() == 404);

        Run missing = berth(otto, "app", "show", WEB);
        assertEquals(3, missing.exit(), missing.all());

        Run logout = berth(otto, "logout");
        assertEquals(0, logout.exit(), logout.all());
        assertTrue(!Files.exists(otto.resolve("tokens.json")) || !readQuietly(otto).contains(gateway));
        Run after = berth(otto, "app", "list");
        assertEquals(5, after.exit(), after.all());
        assertTrue(after.err().contains("berth login"), after.all());
    }

    @Test
    @Order(130)
    void noGatewayListeningIsExitCodeFiveWithTheAddressTried() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = Berth.run(new String[] {"app", "list", "--gateway", "http://127.0.0.1:" + closed},
                Map.of("BERTH_CONFIG_DIR", otto.toString()), new PrintWriter(out), new PrintWriter(err), false);

        assertEquals(5, exit, err.toString());
        assertTrue(err.toString().contains("cannot connect to the gateway at http://127.0.0.1:" + closed), err.toString());
    }

    @Test
    @Order(140)
    @org.junit.jupiter.api.condition.EnabledIf("dev.berth.system.UiBrowser#present")
    void theDeviceGrantLogsInOnceThePersonConfirmsInABrowser() throws Exception {
        Path ada = otto.resolveSibling("ada-device");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = Map.of("BERTH_GATEWAY", gateway, "BERTH_CONFIG_DIR", ada.toString());
        java.util.concurrent.CompletableFuture<Integer> login = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Berth.run(new String[] {"login"}, env, new PrintWriter(out), new PrintWriter(err), false));

        String address = await("the verification address").atMost(DEADLINE).until(
                () -> out.toString().lines().map(String::strip).filter(line -> line.startsWith("http")).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        try (UiBrowser browser = UiBrowser.open()) {
            browser.driver.get(address);
            browser.until(d -> d.findElements(org.openqa.selenium.By.id("username")).stream().findFirst().orElse(null))
                    .sendKeys("ada");
            browser.driver.findElement(org.openqa.selenium.By.id("password")).sendKeys("ada-password");
            browser.driver.findElement(org.openqa.selenium.By.id("kc-login")).click();
            // Keycloak may ask to grant the access (consent) before it says the device is logged in.
            await("the device confirmed").atMost(DEADLINE).ignoreExceptions().until(() -> {
                List<org.openqa.selenium.WebElement> accept = browser.driver.findElements(org.openqa.selenium.By.id("kc-login"));
                if (!accept.isEmpty()) {
                    accept.get(0).click();
                }
                return login.isDone();
            });
        }

        assertEquals(0, login.get(), out + "\n" + err);
        assertTrue(out.toString().contains("ada (ADMIN, teams: all)"), out + "\n" + err);
        assertEquals("DEVICE", cachedLogin(ada).path("grant").asText());
    }

    private static String expireCachedToken(Path config) throws IOException {
        Path file = config.resolve("tokens.json");
        ObjectNode all = (ObjectNode) JsonCodec.mapper().readTree(file.toFile());
        ObjectNode login = (ObjectNode) all.path(gateway);
        String token = login.path("accessToken").asText();
        login.put("expiresAt", 1L);
        JsonCodec.mapper().writeValue(file.toFile(), all);
        return token;
    }

    private static JsonNode cachedLogin(Path config) throws IOException {
        return JsonCodec.mapper().readTree(config.resolve("tokens.json").toFile()).path(gateway);
    }

    private static String readQuietly(Path config) {
        try {
            return Files.readString(config.resolve("tokens.json"));
        } catch (IOException e) {
            return "";
        }
    }

    /** bin/berth started and left running (for -f), its standard output readable as it comes. */
    private static Process binBerthProcess(Map<String, String> env, String... args) throws IOException {
        Path root = Path.of(System.getProperty("berth.root", "..")).toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/berth").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(env);
        return builder.start();
    }

    /** bin/berth itself, as a person runs it. */
    private static Run binBerth(Map<String, String> env, String... args) throws Exception {
        Path root = Path.of(System.getProperty("berth.root", "..")).toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/berth").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = new HashMap<>(env);
        builder.environment().putAll(environment);
        Path out = Files.createTempFile("berth-out", ".txt");
        Path err = Files.createTempFile("berth-err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/berth " + String.join(" ", args) + " did not end within 60 s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
