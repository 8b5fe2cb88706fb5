package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CommandReply.Outcome;
import dev.berth.contracts.messages.UpdateApp;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** PUT /v1/apps/{id}: a whole new definition, conditional on If-Match, over the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AppUpdateOverKafkaTest extends OverKafka {

    @Test
    void aPutWithTheCurrentVersionInIfMatchIsAnswered200WithTheNewVersionAsETag() {
        // Given an app at version 1, as its ETag says
        String id = givenApp("web");
        given().when().get("/v1/apps" + id).then().statusCode(200).header("ETag", "\"1\"");

        // When it is replaced by a definition with another command, if still at version 1
        given().contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body("{\"id\": \"" + id + "\", \"cmd\": \"sleep 2\", \"instances\": 2}")
                .when().put("/v1/apps" + id)

                // Then the answer shows it at version 2, and so does a GET right after
                .then().statusCode(200).header("ETag", "\"2\"")
                .body("version", equalTo(2)).body("cmd", equalTo("sleep 2")).body("instances", equalTo(2));
        given().when().get("/v1/apps" + id).then().statusCode(200).header("ETag", "\"2\"")
                .body("cmd", equalTo("sleep 2"));

        // And the scheduler was sent the whole definition with the version expected
        UpdateApp update = assertInstanceOf(UpdateApp.class, command(id));
        assertEquals(1L, update.expectedVersion());
        assertEquals("sleep 2", update.app().cmd());
        assertEquals(2, update.app().instances());
    }

    @Test
    void aPutWithAStaleIfMatchIs409WithTheSchedulersReason() {
        String id = givenApp("stale");

        given().contentType(ContentType.JSON).header("If-Match", "\"5\"").body("{\"cmd\": \"sleep 2\"}")
                .when().put("/v1/apps" + id)
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("the app " + id + " is at version 1, not 5; read it again and retry"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "W/\"1\"", "*"})
    void ifMatchIsTakenQuotedBareWeakOrAsAnyVersion(String ifMatch) {
        String id = givenApp("forms");

        given().contentType(ContentType.JSON).header("If-Match", ifMatch).body("{\"cmd\": \"sleep 3\"}")
                .when().put("/v1/apps" + id).then().statusCode(200).body("version", equalTo(2));

        assertEquals(ifMatch.equals("*") ? null : 1L, ((UpdateApp) command(id)).expectedVersion());
    }

    @Test
    void aPutWithoutIfMatchIsUnconditionalAndTheBodyMayLeaveTheIdOut() {
        String id = givenApp("plain");

        given().contentType(ContentType.JSON).body("{\"cmd\": \"sleep 4\"}").when().put("/v1/apps" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("cmd", equalTo("sleep 4"));

        UpdateApp update = (UpdateApp) command(id);
        assertNull(update.expectedVersion());
        assertEquals(id, update.app().id());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "\"1\", \"2\"", "-1", "0", "\"1", "W/1x"})
    void aMalformedIfMatchIs400AndNothingIsSent(String ifMatch) {
        String id = givenApp("badmatch");

        given().contentType(ContentType.JSON).header("If-Match", ifMatch).body("{\"cmd\": \"sleep 2\"}")
                .when().put("/v1/apps" + id)
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("If-Match"));

        assertNoCommand(id);
    }

    @Test
    void aPutOfAnUnknownAppIs404AndSaysToPost() {
        String id = "/" + group + "/never";

        given().contentType(ContentType.JSON).body("{\"cmd\": \"sleep 2\"}").when().put("/v1/apps" + id)
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", allOf(containsString(id), containsString("POST /v1/apps")));

        assertNoCommand(id);
    }

    @Test
    void aPutWhoseBodyNamesAnotherAppIs422NamingBoth() {
        String id = givenApp("mine");
        String other = "/" + group + "/other";

        given().contentType(ContentType.JSON).body("{\"id\": \"" + other + "\", \"cmd\": \"sleep 2\"}")
                .when().put("/v1/apps" + id)
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("id"))
                .body("detail", allOf(containsString(id), containsString(other)));

        assertNoCommand(id);
    }

    @Test
    void anInvalidDefinitionIsRefusedByFieldBeforeTheScheduler() {
        String id = givenApp("invalid");

        given().contentType(ContentType.JSON).body("{\"cmd\": \"x\", \"cpus\": -1}").when().put("/v1/apps" + id)
                .then().statusCode(422).body("errors.field", equalTo(List.of("cpus")));
        given().contentType(ContentType.JSON).body("{\"cmd\": ").when().put("/v1/apps" + id)
                .then().statusCode(400).contentType("application/problem+json");

        assertNoCommand(id);
    }

    @Test
    void aChangeTheSchedulerRefusesAsInvalidIs422WithItsReason() {
        // Given a scheduler that refuses the change (as it does a stateful app's volumes changed)
        String id = givenApp("volumes");
        String reason = "the volumes of a stateful app cannot change: /data was 64 MiB, now 128 MiB";
        scheduler.refuseNext(Outcome.INVALID, reason);

        given().contentType(ContentType.JSON).body("{\"cmd\": \"sleep 2\"}").when().put("/v1/apps" + id)
                .then().statusCode(422).contentType("application/problem+json").body("detail", equalTo(reason));
    }

    @Test
    void anotherTeamsAppIs404ToAPut() {
        String id = givenApp("hidden");

        given().header("Authorization", "Bearer " + TestTokens.operator("someone-else"))
                .contentType(ContentType.JSON).body("{\"cmd\": \"sleep 2\"}").when().put("/v1/apps" + id)
                .then().statusCode(404).contentType("application/problem+json");

        assertNoCommand(id);
    }

    /** Records the app as the scheduler would, and waits until the gateway's view shows it. */
    private String givenApp(String name) {
        String id = "/" + group + "/" + name;
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 1), 1, false, null)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200));
        return id;
    }

    private AppCommand command(String appId) {
        return JsonCodec.decode(kafka.await(Topics.APP_COMMANDS.name(), r -> appId.equals(r.key()), WAIT).value(),
                AppCommand.class);
    }

    private void assertNoCommand(String appId) {
        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(), r -> appId.equals(r.key()),
                Duration.ofSeconds(1)));
    }
}
