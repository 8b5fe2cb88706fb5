package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.RollbackApp;
import dev.berth.contracts.messages.UpdateApp;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * POST /v1/apps/{id}/rollback?version=, and {@code force} on PUT: how the gateway asks the scheduler to
 * bring back an earlier definition or to replace a running deployment, over the real broker.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AppRollbackAndForceOverKafkaTest extends OverKafka {
    private static final String V2 = "{\"cmd\": \"sleep 2\", \"instances\": 2, \"cpus\": 0.5, \"mem\": 32}";

    @Test
    void rollbackSendsRollbackAppWithTheVersionAndAnswersWithTheAppAtItsNewVersion() {
        // Given an app updated from version 1 (sleep 1) to version 2 (sleep 2)
        String id = givenApp("web");
        given().contentType(ContentType.JSON).body(V2).when().put("/v1/apps" + id)
                .then().statusCode(200).body("version", equalTo(2)).body("cmd", equalTo("sleep 2"));

        // When it is rolled back to version 1
        given().queryParam("version", 1).when().post("/v1/apps" + id + "/rollback")
                .then().statusCode(200).header("ETag", "\"3\"")
                .body("version", equalTo(3)).body("cmd", equalTo("sleep 1"));

        // Then the scheduler was asked for exactly that, not forced
        RollbackApp rollback = assertInstanceOf(RollbackApp.class, command(id, c -> c instanceof RollbackApp));
        assertEquals(1, rollback.version());
        assertFalse(rollback.force());
        // And the history says what made version 3
        given().when().get("/v1/apps" + id + "/versions").then().statusCode(200)
                .body("versions[0].change", equalTo("rolled-back"));
    }

    @Test
    void aRollbackWithoutAWholeVersionFromOneOrWithABadForceIs400AndNothingIsSent() {
        String id = givenApp("web");

        for (String bad : new String[]{"0", "-1", "1.5", "two", "99999999999999999999", " "}) {
            given().queryParam("version", bad).when().post("/v1/apps" + id + "/rollback")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo("version"));
        }
        given().when().post("/v1/apps" + id + "/rollback")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("version is required"));
        given().queryParam("version", 1).queryParam("force", "yes").when().post("/v1/apps" + id + "/rollback")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("force"));
        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(), r -> id.equals(r.key()),
                Duration.ofSeconds(1)));
    }

    @Test
    void aRollbackToAVersionNotKeptIs404WithTheSchedulersReason() {
        String id = givenApp("web");

        given().queryParam("version", 7).when().post("/v1/apps" + id + "/rollback")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no version 7 of " + id + " is kept (the latest 50 are)"));
    }

    @Test
    void aRollbackOfAnotherTeamsAppIs404AndOfAnUnknownAppToo() {
        String id = givenApp("web");

        given().header("Authorization", "Bearer " + TestTokens.operator("other-team")).queryParam("version", 1)
                .when().post("/v1/apps" + id + "/rollback").then().statusCode(404);
        given().queryParam("version", 1).when().post("/v1/apps/" + group + "/never/rollback")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void putWithForcePassesItOnAndABadForceIs400() {
        String id = givenApp("web");

        given().contentType(ContentType.JSON).body(V2).queryParam("force", "true").when().put("/v1/apps" + id)
                .then().statusCode(200).body("cmd", equalTo("sleep 2"));
        assertTrue(((UpdateApp) command(id, c -> c instanceof UpdateApp)).force());

        given().contentType(ContentType.JSON).body(V2).queryParam("force", "maybe").when().put("/v1/apps" + id)
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("force"));
    }

    @Test
    void aChangeWhileADeploymentRunsIs409NamingItUnlessForcedWhichSupersedesIt() {
        // Given an app with a deployment under way
        String id = givenApp("web");
        String deployment = "d-" + group;
        scheduler.recordDeployment(DeploymentFixtures.canary(deployment, app(id, 2), DeploymentState.RUNNING, null,
                Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id)
                .then().statusCode(200).body("deployment.id", equalTo(deployment)));

        // When it is changed, restarted or rolled back without force, Then the scheduler's reason names the deployment
        String reason = "a deployment (" + deployment + ") of " + id + " is running: wait for it, or use force=true";
        given().contentType(ContentType.JSON).body(V2).when().put("/v1/apps" + id)
                .then().statusCode(409).contentType("application/problem+json").body("detail", equalTo(reason));
        given().when().post("/v1/apps" + id + "/restart").then().statusCode(409).body("detail", equalTo(reason));
        given().queryParam("version", 1).when().post("/v1/apps" + id + "/rollback")
                .then().statusCode(409).body("detail", equalTo(reason));
        assertInstanceOf(RestartApp.class, command(id, c -> c instanceof RestartApp));

        // And with force=true the change is made and the deployment ends superseded
        given().contentType(ContentType.JSON).body(V2).queryParam("force", "true").when().put("/v1/apps" + id)
                .then().statusCode(200).body("version", equalTo(2));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/deployments/" + deployment)
                .then().statusCode(200).body("state", equalTo("SUPERSEDED")));
        given().queryParam("version", 1).queryParam("force", "true").when().post("/v1/apps" + id + "/rollback")
                .then().statusCode(200).body("version", equalTo(3));
        assertTrue(((RollbackApp) command(id, c -> c instanceof RollbackApp r && r.force())).force());
    }

    /** Records the app at version 1 (sleep 1, 2 instances) as the scheduler would, and waits until the gateway shows it. */
    private String givenApp(String name) {
        String id = "/" + group + "/" + name;
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 2), 1, false, null)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200));
        return id;
    }

    private AppCommand command(String appId, Predicate<AppCommand> condition) {
        return JsonCodec.decode(kafka.await(Topics.APP_COMMANDS.name(), r -> appId.equals(r.key())
                && condition.test(JsonCodec.decode(r.value(), AppCommand.class)), WAIT).value(), AppCommand.class);
    }
}
