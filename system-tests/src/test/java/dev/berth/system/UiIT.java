package dev.berth.system;

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

import java.time.Duration;
import java.util.List;
import java.util.Map;

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
            ada.until(DEADLINE, d -> d.findElements(By.cssSelector("table.tasks tbody tr")).stream()
                    .filter(row -> row.getText().contains("running"))
                    .allMatch(row -> !row.getText().contains(drained)) ? true : null);
            await().atMost(DEADLINE).until(() -> cluster.running(APP).values().stream().noneMatch(drained::equals));
        }
    }

    @Test
    @Order(8)
    void signingOutEndsTheSession() {
        otto.driver.findElement(By.xpath("//button[text()='Sign out']")).click();
        otto.until(d -> d.findElements(By.id("username")).stream().findFirst().orElse(null));
        List<String> errors = otto.scriptErrors();
        assertTrue(errors.isEmpty(), errors.toString());
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
