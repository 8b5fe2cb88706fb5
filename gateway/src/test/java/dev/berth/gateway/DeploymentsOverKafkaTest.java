package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.PromoteDeployment;
import dev.berth.contracts.messages.RollbackDeployment;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** GET /v1/deployments(/{id}), promote, rollback and DELETE of a deployment, over the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DeploymentsOverKafkaTest extends OverKafka {
    private static final Instant T0 = Instant.parse("2026-11-25T09:00:00Z");
    /** The definition each app of the test was given (version 1), what its deployments start from. */
    private final Map<String, AppDefinition> definitions = new HashMap<>();

    @Test
    void theListShowsAnAppsDeploymentsNewestFirstFilteredByAppAndStateAndPaged() {
        // Given two deployments of one app (an old one that succeeded, a newer one paused) and one of another
        String web = givenApp("web", 3);
        String api = givenApp("api", 2);
        String older = givenDeployment(web, DeploymentState.SUCCEEDED, null, T0);
        String newer = givenDeployment(web, DeploymentState.PAUSED, "1 canaries healthy; promote or roll back",
                T0.plusSeconds(60));
        String other = givenDeployment(api, DeploymentState.RUNNING, null, T0.plusSeconds(30));

        // When they are listed by app, Then newest first
        given().queryParam("app", web).when().get("/v1/deployments")
                .then().statusCode(200).header("X-Total-Count", "2")
                .body("deployments.id", equalTo(List.of(newer, older)));
        // (an app id without its leading slash is the same app)
        given().queryParam("app", api.substring(1)).when().get("/v1/deployments")
                .then().statusCode(200).body("deployments.id", equalTo(List.of(other)));
        // And by state, in any case
        given().queryParam("app", web).queryParam("state", "paused").when().get("/v1/deployments")
                .then().statusCode(200).body("deployments.id", equalTo(List.of(newer)));
        // (a filter may repeat: any of its values)
        given().queryParam("app", web, api).queryParam("state", "paused", "RUNNING").when().get("/v1/deployments")
                .then().statusCode(200).body("deployments.id", equalTo(List.of(newer, other)));
        // And a page at a time, the filters kept in the links
        given().queryParam("app", web).queryParam("limit", 1).when().get("/v1/deployments")
                .then().statusCode(200).header("X-Total-Count", "2").header("Link", containsString("rel=\"next\""))
                .header("Link", containsString("app=")).body("deployments.id", equalTo(List.of(newer)));
        given().queryParam("app", web).queryParam("limit", 1).queryParam("offset", 1).when().get("/v1/deployments")
                .then().statusCode(200).body("deployments.id", equalTo(List.of(older)));
    }

    @Test
    void anUnknownStateOrABadAppOrPageIs400NamingWhatIsValid() {
        given().queryParam("state", "SLEEPING").when().get("/v1/deployments")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("state"))
                .body("detail", containsString("RUNNING, PAUSED, SUCCEEDED, FAILED, ROLLED_BACK, CANCELLED, SUPERSEDED"));
        // Every value is checked, not only the first (an empty first one is no free pass)
        given().queryParam("state", "", "SLEEPING").when().get("/v1/deployments")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("state"));
        given().queryParam("app", "..").when().get("/v1/deployments")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("app"));
        given().queryParam("limit", 0).when().get("/v1/deployments")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("limit"));
    }

    @Test
    void oneDeploymentShowsItsPlanProgressTimesAndCause() {
        // Given a paused canary deployment
        String web = givenApp("web", 3);
        String id = givenDeployment(web, DeploymentState.PAUSED, "1 canaries healthy; promote or roll back", T0);

        // When it is read, Then it shows what it is doing and why it waits
        given().when().get("/v1/deployments/" + id)
                .then().statusCode(200)
                .body("id", equalTo(id)).body("appId", equalTo(web))
                .body("fromVersion", equalTo(1)).body("toVersion", equalTo(2))
                .body("state", equalTo("PAUSED")).body("reason", equalTo("1 canaries healthy; promote or roll back"))
                .body("steps.action", equalTo(List.of("START_CANARIES", "PAUSE", "ROLL")))
                .body("steps.status", equalTo(List.of("DONE", "RUNNING", "PENDING")))
                .body("steps[0].detail", equalTo("1 canary"))
                .body("currentStep", equalTo(1))
                .body("progress.target", equalTo(3)).body("progress.newHealthy", equalTo(1))
                .body("progress.newRunning", equalTo(1)).body("progress.oldRunning", equalTo(3))
                .body("startedAt", equalTo("2026-11-25T09:00:00Z"))
                .body("deadline", equalTo("2026-11-25T09:10:00Z"))
                .body("finishedAt", nullValue())
                .body("cause", equalTo("update"));
    }

    @Test
    void anUnknownDeploymentIs404() {
        given().when().get("/v1/deployments/no-such-" + group)
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no-such-" + group));
        given().when().post("/v1/deployments/no-such-" + group + "/promote").then().statusCode(404);
        given().when().post("/v1/deployments/no-such-" + group + "/rollback").then().statusCode(404);
        given().when().delete("/v1/deployments/no-such-" + group).then().statusCode(404);
    }

    @Test
    void anotherTeamsDeploymentDoesNotExistForAnOperatorOutsideIt() {
        // Given a deployment of this test's team
        String web = givenApp("web", 2);
        String id = givenDeployment(web, DeploymentState.PAUSED, null, T0);
        String outsider = "Bearer " + TestTokens.operator("other-team");

        // When an operator of another team looks for it or acts on it, Then it is not there
        given().header("Authorization", outsider).when().get("/v1/deployments/" + id)
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", outsider).queryParam("app", web).when().get("/v1/deployments")
                .then().statusCode(200).header("X-Total-Count", "0");
        given().header("Authorization", outsider).when().post("/v1/deployments/" + id + "/promote")
                .then().statusCode(404);
        given().header("Authorization", outsider).when().delete("/v1/deployments/" + id).then().statusCode(404);
        // And a viewer of the team may read it but not promote it
        String viewer = "Bearer " + TestTokens.viewer(group);
        given().header("Authorization", viewer).when().get("/v1/deployments/" + id).then().statusCode(200);
        given().header("Authorization", viewer).when().post("/v1/deployments/" + id + "/promote")
                .then().statusCode(403).contentType("application/problem+json");
        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(), r -> web.equals(r.key()),
                Duration.ofSeconds(1)));
    }

    @Test
    void promoteSendsPromoteDeploymentAndAnswersWithTheDeploymentRunningAgain() {
        // Given a deployment paused with a healthy canary
        String web = givenApp("web", 3);
        String id = givenDeployment(web, DeploymentState.PAUSED, "1 canaries healthy; promote or roll back", T0);

        // When it is promoted
        given().when().post("/v1/deployments/" + id + "/promote")
                .then().statusCode(200).body("id", equalTo(id)).body("state", equalTo("RUNNING"))
                .body("reason", nullValue());

        // Then the scheduler was asked to promote exactly it, keyed by its app
        PromoteDeployment promote = assertInstanceOf(PromoteDeployment.class, command(web));
        assertEquals(id, promote.deploymentId());
        assertEquals(web, promote.appId());
        // And a read right after shows it running
        given().when().get("/v1/deployments/" + id).then().statusCode(200).body("state", equalTo("RUNNING"));
    }

    @Test
    void aPromoteTheSchedulerRefusesIs409WithItsReason() {
        // Given a deployment still starting its canaries
        String web = givenApp("web", 3);
        String id = givenDeployment(web, DeploymentState.RUNNING, null, T0);

        // When it is promoted, Then the scheduler's refusal is the answer
        given().when().post("/v1/deployments/" + id + "/promote")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("the deployment " + id + " of " + web + " is RUNNING, not PAUSED: only a "
                        + "deployment waiting with healthy canaries can be promoted"));
    }

    @Test
    void rollbackAndDeleteSendRollbackDeploymentAndAnswerWithTheDeploymentRolledBack() {
        // Given two deployments under way (of two apps)
        String web = givenApp("web", 3);
        String api = givenApp("api", 2);
        String paused = givenDeployment(web, DeploymentState.PAUSED, null, T0);
        String running = givenDeployment(api, DeploymentState.RUNNING, null, T0);

        // When one is rolled back and the other deleted
        given().when().post("/v1/deployments/" + paused + "/rollback")
                .then().statusCode(200).body("id", equalTo(paused)).body("state", equalTo("ROLLED_BACK"))
                .body("reason", equalTo("rolled back by an operator")).body("finishedAt", notNullValue());
        given().when().delete("/v1/deployments/" + running)
                .then().statusCode(200).body("id", equalTo(running)).body("state", equalTo("ROLLED_BACK"));

        // Then each was a RollbackDeployment of it, keyed by its app
        assertEquals(paused, assertInstanceOf(RollbackDeployment.class, command(web)).deploymentId());
        assertEquals(running, assertInstanceOf(RollbackDeployment.class, command(api)).deploymentId());
        // And a read right after shows the app reverted at a new version, with no deployment under way
        given().when().get("/v1/apps" + web).then().statusCode(200).body("version", equalTo(2))
                .body("cmd", equalTo("sleep 1")).body("deployment", nullValue());
    }

    @Test
    void anEndedDeploymentCannotBePromotedOrRolledBackAndNothingIsSent() {
        String web = givenApp("web", 3);
        String id = givenDeployment(web, DeploymentState.SUCCEEDED, null, T0);

        given().when().post("/v1/deployments/" + id + "/promote")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("has ended (SUCCEEDED)"));
        given().when().delete("/v1/deployments/" + id)
                .then().statusCode(409).body("detail", containsString("POST /v1/apps" + web + "/rollback?version="));
        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(), r -> web.equals(r.key()),
                Duration.ofSeconds(1)));
    }

    @Test
    void aSilentSchedulerGets503WithRetryAfter() {
        String web = givenApp("web", 3);
        String id = givenDeployment(web, DeploymentState.PAUSED, null, T0);
        scheduler.silence();

        given().when().post("/v1/deployments/" + id + "/promote")
                .then().statusCode(503).contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("detail", containsString("PromoteDeployment"));
        given().when().delete("/v1/deployments/" + id)
                .then().statusCode(503).header("Retry-After", notNullValue());
    }

    @Test
    void anAppShowsItsDeploymentUnderWayAndItsUpgradeStrategy() {
        // Given an app with a paused deployment
        String web = givenApp("web", 3);
        String id = givenDeployment(web, DeploymentState.PAUSED, "1 canaries healthy; promote or roll back", T0);

        // When the app is read, Then it shows the deployment in brief, and its strategy
        given().when().get("/v1/apps" + web)
                .then().statusCode(200)
                .body("deployment.id", equalTo(id)).body("deployment.state", equalTo("PAUSED"))
                .body("deployment.reason", equalTo("1 canaries healthy; promote or roll back"))
                .body("deployment.progress.target", equalTo(3)).body("deployment.progress.newHealthy", equalTo(1))
                .body("upgradeStrategy.minimumHealthCapacity", equalTo(1.0f))
                .body("upgradeStrategy.maximumOverCapacity", equalTo(1.0f))
                .body("upgradeStrategy.canary", equalTo(0))
                .body("upgradeStrategy.progressDeadlineSeconds", equalTo(600));
        given().queryParam("team", group).when().get("/v1/apps")
                .then().statusCode(200).body("apps.find { it.id == '" + web + "' }.deployment.id", equalTo(id));
        // And once it has ended, no deployment
        scheduler.recordDeployment(DeploymentFixtures.canary(id, definitions.get(web), DeploymentState.SUCCEEDED, null,
                T0));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + web)
                .then().statusCode(200).body("deployment", nullValue()));
    }

    /** Records the app at version 1 as the scheduler would, and waits until the gateway shows it. */
    private String givenApp(String name, int instances) {
        String id = "/" + group + "/" + name;
        definitions.put(id, app(id, instances));
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(definitions.get(id), 1, false, null)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200));
        return id;
    }

    /** Has the scheduler record a canary deployment of the app, and waits until the gateway shows it. */
    private String givenDeployment(String appId, DeploymentState state, String reason, Instant startedAt) {
        String id = "d-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Deployment deployment = DeploymentFixtures.canary(id, definitions.get(appId), state, reason, startedAt);
        scheduler.recordDeployment(deployment);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/deployments/" + id)
                .then().statusCode(200).body("state", equalTo(state.name())));
        return id;
    }

    private AppCommand command(String appId) {
        return command(appId, c -> true);
    }

    private AppCommand command(String appId, Predicate<AppCommand> condition) {
        return JsonCodec.decode(kafka.await(Topics.APP_COMMANDS.name(), r -> appId.equals(r.key())
                && condition.test(JsonCodec.decode(r.value(), AppCommand.class)), WAIT).value(), AppCommand.class);
    }
}
