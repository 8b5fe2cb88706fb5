package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web UI in a real headless Chromium against the packaged services and the real Keycloak: sign-in
 * through Keycloak's own login form (authorization code + PKCE with the realm's public client
 * berth-web), an app created from the editor whose tasks turn RUNNING on screen without a reload, a
 * field error shown next to its field, a scale, a task's log, a viewer of another team who sees
 * neither the app nor any button, and an administrator's drain that moves the task. Each test is one
 * step of that story, in order, on one cluster; screenshots of each page go to
 * system-tests/target/ui-screenshots.
 */
@EnabledIf("dev.berth.system.UiBrowser#present")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String APP = "/team-a/ui-web";
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
            .agent("ui-node-1", "zone=a").agent("ui-node-2", "zone=b");
    private static BerthCluster cluster;
    private static String gateway;
    private static UiBrowser otto;

    @BeforeAll
    static void signInAsOtto() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, "ui-node-1", "ui-node-2");
        // The realm file lets the UI of the local run (port 8080) sign in; this gateway has a port of its own.
        SharedKeycloak.get().allowRedirect(SharedKeycloak.REALM, "berth-web", gateway + "/ui/*");
        otto = UiBrowser.open().signIn(gateway, "otto", "otto-password");
    }

    @AfterAll
    static void closeBrowsers() {
        if (otto != null) {
            otto.close();
        }
    }

    @Test
    @Order(1)
    void ottoIsSignedInAsAnOperatorOfTeamA() {
        assertTrue(otto.untilText("header.top .who", "otto").getText().contains("operator"));
        otto.untilText("header.top .live", "live");
        assertTrue(otto.driver.getCurrentUrl().startsWith(gateway + "/ui/"), otto.driver.getCurrentUrl());
        assertFalse(otto.driver.getCurrentUrl().contains("code="), "the code is taken out of the address");
        otto.screenshot("apps-empty");
    }

    @Test
    @Order(2)
    void aBadDefinitionShowsTheGatewaysErrorNextToTheField() {
        submitNewApp("""
                {"id": "/team-a/bad", "cmd": "sleep 60", "instances": 1, "cpus": -1, "mem": 16}""");
        WebElement error = otto.untilText("#field-cpus ~ .field-error", "cpus");
        assertTrue(error.isDisplayed());
        assertEquals("true", otto.driver.findElement(By.id("field-cpus")).getAttribute("aria-invalid"));
        otto.untilText(".problem", "cpus");
        otto.screenshot("editor-field-error");
        assertTrue(Http.as(SharedKeycloak.User.ADA).get(gateway + "/v1/apps/team-a/bad").status() == 404,
                "nothing was created");
    }

    @Test
    @Order(3)
    void anAppCreatedInTheEditorShowsItsTaskRunningWithoutAReload() {
        submitNewApp("""
                {"id": "%s", "cmd": "echo serving on $PORT0; exec python3 -m http.server $PORT0",
                 "instances": 1, "cpus": 0.05, "mem": 64, "portDefinitions": [{"port": 0, "name": "http"}],
                 "taskKillGracePeriodSeconds": 1}""".formatted(APP));
        otto.until(d -> d.getCurrentUrl().endsWith("#/app" + APP));
        Object page = marker();
        otto.untilText("table.tasks .badge", "running");
        assertTrue(samePage(page), "the task turned running on screen without the page being loaded again");
        otto.screenshot("app");
        otto.go(gateway, "/apps");
        otto.untilText("table.apps td", APP);
        otto.untilText("table.apps .badge", "running");
        otto.screenshot("apps");
    }

    @Test
    @Order(4)
    void scalingFromThePageStartsTheSecondTask() {
        otto.go(gateway, "/app" + APP);
        otto.until(d -> {
            d.findElement(By.cssSelector("input[aria-label=instances]")).sendKeys(Keys.chord(Keys.CONTROL, "a"), "2");
            return true;
        });
        otto.click(By.xpath("//button[text()='Scale']"));
        Object page = marker();
        otto.until(DEADLINE, d -> d.findElements(By.cssSelector("table.tasks tbody tr")).stream()
                .filter(row -> row.getText().contains("running")).count() == 2 ? true : null);
        assertTrue(samePage(page));
        await().atMost(DEADLINE).until(() -> cluster.running(APP).size() == 2);
    }

    @Test
    @Order(5)
    void aTasksLogIsShownAsItIsWritten() {
        otto.go(gateway, "/app" + APP);
        otto.untilText("table.tasks a", "logs");
        otto.click(By.xpath("//table[contains(@class,'tasks')]//a[text()='logs']"));
        otto.untilText("pre.log", "serving on");
        otto.screenshot("logs");
    }

    @Test
    @Order(6)
    void aViewerOfTeamBSeesNeitherTeamAsAppNorAnyButton() {
        try (UiBrowser vera = UiBrowser.open().signIn(gateway, "vera", "vera-password")) {
            vera.untilText("header.top .who", "viewer");
            vera.untilText("table.apps td", "No apps yet.");
            assertTrue(vera.all("a.button[href='#/new']").isEmpty(), "a viewer is offered no new app");
            vera.go(gateway, "/app" + APP);
            vera.untilText(".problem", "Not found");
            assertTrue(vera.all("button").stream().noneMatch(b -> List.of("Scale", "Restart", "Delete")
                    .contains(b.getText())), "a viewer is offered no change");
            vera.go(gateway, "/nodes");
            vera.untilText("article.node", "ui-node-1");
            assertTrue(vera.all("article.node button").isEmpty(), "a viewer is offered no drain");
            vera.screenshot("nodes-as-viewer");
            List<String> errors = vera.scriptErrors();
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    @Test
    @Order(7)
    void aStatefulAppsVolumeShowsItsEpochRiseWhenItFollowsItsTaskToAnotherNode() {
        String db = "/team-a/ui-db";
        create(db, """
                {"id": "%s", "cmd": "while true; do date >> data/log; sleep 1; done", "instances": 1, "cpus": 0.05,
                 "mem": 32, "portDefinitions": [], "taskKillGracePeriodSeconds": 1,
                 "container": {"type": "MESOS", "volumes": [{"containerPath": "data", "mode": "RW",
                   "external": {"name": "ui-db", "size": 16, "provider": "sharedfs"}}]}}""".formatted(db));
        await().atMost(DEADLINE).until(() -> cluster.running(db).size() == 1);
        String lost = cluster.running(db).values().iterator().next();
        String other = lost.equals("ui-node-1") ? "ui-node-2" : "ui-node-1";
        otto.go(gateway, "/app" + db);
        String volumeRow = "table.volumes > tbody > tr:not(.history-row)";
        WebElement row = otto.until(DEADLINE, d -> d.findElements(By.cssSelector(volumeRow)).stream()
                .filter(r -> r.getText().contains("attached") && r.getText().contains(lost)).findFirst().orElse(null));
        long epoch = Long.parseLong(row.findElement(By.cssSelector(".epoch")).getText());
        otto.click(By.xpath("//table[contains(@class,'volumes')]//button[text()='history']"));
        otto.untilText("table.history td", "attached");
        Object page = marker();

        // The node is lost: its agent and its tasks gone at once.
        cluster.agent(lost).kill();
        TaskTraces.killTasksLeft(lost);

        otto.until(Duration.ofSeconds(90), d -> d.findElements(By.cssSelector(volumeRow)).stream().anyMatch(r ->
                r.getText().contains("attached") && r.getText().contains(other)
                        && Long.parseLong(r.findElement(By.cssSelector(".epoch")).getText()) > epoch) ? true : null);
        otto.untilText("table.history td", "fenced");
        assertTrue(samePage(page), "the epoch rose on screen without the page being loaded again");
        otto.screenshot("app-stateful-failover");
        assertTrue(otto.scriptErrors().isEmpty());

        Instant restartedAt = Instant.now();
        cluster.restartAgent(lost);
        await(lost + " heard again").atMost(DEADLINE).until(() -> {
            JsonNode node = Http.get(gateway + "/v1/nodes/" + lost).json();
            return node.path("reachable").asBoolean()
                    && Instant.parse(node.path("lastSeen").asText()).isAfter(restartedAt.plusSeconds(1));
        });
        delete(db);
    }

    @Test
    @Order(8)
    void aCanaryPausesOnTheDeploymentsPageUntilItIsPromoted() {
        String canary = "/team-a/ui-canary";
        create(canary, """
                {"id": "%s", "cmd": "sleep 3600", "instances": 2, "cpus": 0.02, "mem": 16, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1}""".formatted(canary));
        await().atMost(DEADLINE).until(() -> cluster.running(canary).size() == 2);
        Http.Response changed = Http.as(SharedKeycloak.User.OTTO).putJson(gateway + "/v1/apps" + canary, """
                {"cmd": "sleep 3601", "instances": 2, "cpus": 0.02, "mem": 16, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1, "upgradeStrategy": {"canary": 1, "autoPromote": false}}""");
        assertTrue(changed.status() / 100 == 2, changed.body());
        otto.go(gateway, "/deployments");
        String card = "//article[contains(@class,'deployment')][.//a[text()='" + canary + "']][1]";
        otto.until(DEADLINE, d -> d.findElement(By.xpath(card + "//span[contains(@class,'badge')]")).getText()
                .equals("paused") ? true : null);
        otto.until(d -> d.findElement(By.xpath(card)).getText().contains("start canaries"));
        otto.screenshot("deployments");
        otto.click(By.xpath(card + "//button[text()='Promote']"));
        otto.until(DEADLINE, d -> d.findElement(By.xpath(card + "//span[contains(@class,'badge')]")).getText()
                .equals("succeeded") ? true : null);
        delete(canary);
    }

    @Test
    @Order(9)
    void theQueueSaysInWordsWhyAnInstanceWaits() {
        String huge = "/team-a/ui-huge";
        create(huge, """
                {"id": "%s", "cmd": "sleep 3600", "instances": 1, "cpus": 0.02, "mem": 4000000, "portDefinitions": []}"""
                .formatted(huge));
        otto.go(gateway, "/queue");
        otto.until(DEADLINE, d -> d.findElements(By.cssSelector("article.card")).stream().anyMatch(c ->
                c.getText().contains(huge) && c.getText().contains("1 waiting")
                        && c.getText().contains("not enough memory left for one instance")));
        otto.screenshot("queue");
        delete(huge);
        otto.until(DEADLINE, d -> d.findElements(By.cssSelector("article.card")).stream()
                .noneMatch(c -> c.getText().contains(huge)));
    }

    @Test
    @Order(10)
    void theEventsPageShowsAnEventAsItHappensAndFiltersBySubject() {
        otto.go(gateway, "/events");
        otto.untilText("main h1", "Events");
        String app = "/team-a/ui-events";
        create(app, """
                {"id": "%s", "cmd": "sleep 3600", "instances": 1, "cpus": 0.02, "mem": 16, "portDefinitions": []}"""
                .formatted(app));
        otto.untilText("ol.events li", "team-a/ui-events");
        WebElement search = otto.driver.findElement(By.cssSelector("input[aria-label='subject contains']"));
        search.sendKeys("ui-events");
        otto.until(d -> {
            List<WebElement> shown = d.findElements(By.cssSelector("ol.events li"));
            return !shown.isEmpty() && shown.stream().allMatch(li -> li.getText().contains("ui-events")) ? true : null;
        });
        otto.screenshot("events");
        delete(app);
    }

    @Test
    @Order(11)
    void everySectionCanBeReachedAndUsedWithTheKeyboard() {
        otto.go(gateway, "/apps");
        // Loaded again, so the first Tab starts at the top of the page as for a person arriving.
        otto.driver.navigate().refresh();
        otto.untilText("table.apps td", APP);
        Set<String> reached = new LinkedHashSet<>();
        WebElement appLink = null;
        for (int i = 0; i < 60 && appLink == null; i++) {
            new Actions(otto.driver).sendKeys(Keys.TAB).perform();
            WebElement focused = otto.driver.switchTo().activeElement();
            reached.add(focused.getText().strip());
            assertFalse("none".equals(focused.getCssValue("outline-style")),
                    "a focused element shows where the focus is: " + focused.getText());
            if (focused.getText().equals(APP)) {
                appLink = focused;
            }
        }
        assertTrue(reached.containsAll(List.of("Apps", "Deployments", "Queue", "Nodes", "Events", "Sign out")),
                "the sections and sign-out are reached by Tab: " + reached);
        assertTrue(appLink != null, "the app's link is reached by Tab: " + reached);
        appLink.sendKeys(Keys.ENTER);
        otto.until(d -> d.getCurrentUrl().endsWith("#/app" + APP));
        otto.untilText("table.tasks .badge", "running");
        // The scale form: typed into and sent with Enter alone.
        WebElement instances = otto.until(d -> d.findElement(By.cssSelector("input[aria-label=instances]")));
        instances.sendKeys(Keys.chord(Keys.CONTROL, "a"), "3", Keys.ENTER);
        otto.until(DEADLINE, d -> d.findElements(By.cssSelector("table.tasks tbody tr")).stream()
                .filter(row -> row.getText().contains("running")).count() == 3 ? true : null);
    }

    @Test
    @Order(12)
    void everyPageFitsAPhonesWidth() {
        try (UiBrowser phone = UiBrowser.phone().signIn(gateway, "otto", "otto-password")) {
            for (String fragment : List.of("/apps", "/app" + APP, "/new", "/deployments", "/queue", "/nodes", "/events")) {
                phone.go(gateway, fragment);
                phone.until(d -> d.findElements(By.cssSelector("main h1")).stream().findFirst().orElse(null));
                phone.until(d -> d.findElements(By.cssSelector(".loading")).isEmpty());
                Object overflow = phone.driver.executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                assertEquals(0L, ((Number) overflow).longValue(), fragment + " scrolls sideways at phone width");
                phone.screenshot("phone" + fragment.replace('/', '-').replaceAll("-+$", ""));
            }
            List<String> errors = phone.scriptErrors();
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    @Test
    @Order(13)
    void anAdministratorDrainsANodeAndSeesItsTaskMove() {
        Map<String, String> before = cluster.running(APP);
        String drained = before.values().iterator().next();
        try (UiBrowser ada = UiBrowser.open().signIn(gateway, "ada", "ada-password")) {
            ada.go(gateway, "/nodes");
            // Found again at each step: the page re-renders the cards as events come in.
            String card = "//article[.//strong[text()='" + drained + "']]";
            ada.click(By.xpath(card + "//button[text()='Drain']"));
            ada.click(By.xpath(card + "//button[text()='Yes']"));
            ada.untilText("article.node .badge", "draining");
            ada.screenshot("nodes-draining");
            ada.go(gateway, "/app" + APP);
            try {
                // The app's own task table (the first), not the ended tasks below it.
                ada.until(DEADLINE, d -> d.findElements(By.cssSelector("table.tasks")).stream().findFirst()
                        // The node's own cell: a moved task's last failure may name the node too.
                        .filter(tasks -> tasks.findElements(By.cssSelector("tbody tr")).stream()
                                .filter(row -> row.getText().contains("running"))
                                .noneMatch(row -> row.findElement(By.cssSelector("td[data-label=node]")).getText()
                                        .equals(drained)))
                        .orElse(null));
            } catch (RuntimeException e) {
                throw new AssertionError("the tasks did not leave " + drained + ": app "
                        + Http.get(gateway + "/v1/apps" + APP).body() + ", queue " + Http.get(gateway + "/v1/queue").body()
                        + ", node " + Http.get(gateway + "/v1/nodes/" + drained).body(), e);
            }
            await().atMost(DEADLINE).until(() -> cluster.running(APP).values().stream().noneMatch(drained::equals));
        }
    }

    @Test
    @Order(14)
    void signingOutEndsTheSession() {
        otto.driver.findElement(By.xpath("//button[text()='Sign out']")).click();
        otto.until(d -> d.findElements(By.id("username")).stream().findFirst().orElse(null));
        List<String> errors = otto.scriptErrors();
        assertTrue(errors.isEmpty(), errors.toString());
    }

    /** Creates an app through the API, as otto (what the editor does is shown by step 3). */
    private static void create(String app, String definition) {
        Http.Response created = Http.as(SharedKeycloak.User.OTTO).postJson(gateway + "/v1/apps", definition);
        assertEquals(201, created.status(), created.body());
    }

    private static void delete(String app) {
        Http.Response deleted = Http.as(SharedKeycloak.User.OTTO).delete(gateway + "/v1/apps" + app);
        assertTrue(deleted.status() / 100 == 2, deleted.body());
    }

    /** Sets a marker on the page's window: a reload would drop it. */
    private static Object marker() {
        return otto.driver.executeScript("return window.__berthMarker = window.__berthMarker || Math.random();");
    }

    private static boolean samePage(Object marker) {
        return marker.equals(otto.driver.executeScript("return window.__berthMarker;"));
    }

    /** Opens New app, types the definition into the JSON editor in place of the starter, and submits it. */
    private static void submitNewApp(String definition) {
        otto.go(gateway, "/new");
        WebElement editor = otto.until(d -> d.findElement(By.id("definition")));
        editor.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        editor.sendKeys(definition);
        otto.click(By.cssSelector("form.editor button[type=submit]"));
    }
}
