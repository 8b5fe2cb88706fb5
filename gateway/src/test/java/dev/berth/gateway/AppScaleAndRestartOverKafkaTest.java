package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** PATCH /v1/apps/{id} (scale) and POST /v1/apps/{id}/restart, over the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AppScaleAndRestartOverKafkaTest extends OverKafka {

    @Test
    void scalePublishesScaleAppKeyedByTheAppIdAndAnswersWithTheNewCountOnceTheSchedulerAccepted() {
        // Given an app the scheduler runs with 2 instances
        String id = givenApp("web", 2, false);

        // When it is scaled to 5
        given().contentType(ContentType.JSON).body("{\"instances\": 5}")
                .when().patch("/v1/apps" + id)
                .then().statusCode(200).header("ETag", "\"2\"").body("id", equalTo(id)).body("instances", equalTo(5))
                .body("version", equalTo(2));

        // Then the scheduler is asked for exactly that, keyed by the app id
        ScaleApp scale = assertInstanceOf(ScaleApp.class, command(id));
        assertEquals(id, scale.appId());
        assertEquals(5, scale.instances());
        assertEquals(1, scale.schemaVersion());
    }

    @Test
    void scalingToZeroAndToTheLimitIsAccepted() {
        String id = givenApp("zero", 1, false);

        given().contentType(ContentType.JSON).body("{\"instances\": 0}").when().patch("/v1/apps" + id)
                .then().statusCode(200).body("instances", equalTo(0));
        given().contentType("application/merge-patch+json").body("{\"instances\": 10000}")
                .when().patch("/v1/apps" + id).then().statusCode(200).body("instances", equalTo(10000));

        assertEquals(0, ((ScaleApp) command(id, c -> c instanceof ScaleApp s && s.instances() == 0)).instances());
        assertEquals(10000, ((ScaleApp) command(id, c -> c instanceof ScaleApp s && s.instances() == 10000))
                .instances());
    }

    @Test
    void badScaleRequestsAreRefusedByFieldAndNothingIsPublished() {
        String id = givenApp("bad", 1, false);
        Map<String, String> refusals = Map.of(
                "{}", "instances is required",
                "{\"instances\": null}", "instances is required",
                "{\"instances\": 1.5}", "whole number",
                "{\"instances\": \"3\"}", "whole number",
                "{\"instances\": 99999999999}", "whole number",
                "{\"instances\": -1}", "from 0 to 10000, was -1",
                "{\"instances\": 10001}", "from 0 to 10000, was 10001");

        refusals.forEach((body, reason) -> given().contentType(ContentType.JSON).body(body)
                .when().patch("/v1/apps" + id)
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("instances")))
                .body("errors[0].message", containsString(reason)));
        given().contentType(ContentType.JSON).body("{\"instances\": 3, \"cmd\": \"other\", \"mem\": 1}")
                .when().patch("/v1/apps" + id)
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("cmd", "mem")))
                .body("detail", containsString("full updates come with deployments"));
        given().contentType(ContentType.JSON).body("{\"instances\": ").when().patch("/v1/apps" + id)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("not valid JSON"));
        given().contentType(ContentType.JSON).body("[3]").when().patch("/v1/apps" + id)
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.TEXT).body("instances=3").when().patch("/v1/apps" + id)
                .then().statusCode(415).contentType("application/problem+json");

        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(), r -> id.equals(r.key()),
                Duration.ofSeconds(2)));
    }

    @Test
    void scalingOrRestartingAnUnknownAppIs404() {
        String id = "/" + group + "/never";

        given().contentType(ContentType.JSON).body("{\"instances\": 2}").when().patch("/v1/apps" + id)
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(id));
        given().when().post("/v1/apps" + id + "/restart")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(id));
    }

    @Test
    void restartPublishesRestartAppKeyedByTheAppId() {
        String id = givenApp("api", 3, false);

        given().when().post("/v1/apps" + id + "/restart")
                .then().statusCode(200).body("id", equalTo(id)).body("instances", equalTo(3)).body("version", equalTo(2));

        RestartApp restart = assertInstanceOf(RestartApp.class, command(id));
        assertEquals(id, restart.appId());
    }

    @Test
    void anAppBeingDeletedCannotBeScaledOrRestarted() {
        String id = givenApp("going", 1, true);

        given().contentType(ContentType.JSON).body("{\"instances\": 2}").when().patch("/v1/apps" + id)
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("being deleted"));
        given().when().post("/v1/apps" + id + "/restart").then().statusCode(409);
    }

    @Test
    void anAppWhoseLastSegmentIsRestartIsStillReadScaledAndDeletedByItsPath() {
        String id = givenApp("restart", 1, false);

        given().when().get("/v1/apps" + id).then().statusCode(200).body("id", equalTo(id));
        given().contentType(ContentType.JSON).body("{\"instances\": 2}").when().patch("/v1/apps" + id)
                .then().statusCode(200).body("id", equalTo(id));
        given().when().delete("/v1/apps" + id).then().statusCode(200).body("status", equalTo("DELETING"));
    }

    /** Records the app as the scheduler would, and waits until the gateway's view shows it. */
    private String givenApp(String name, int instances, boolean deleting) {
        String id = "/" + group + "/" + name;
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, instances), 1, deleting, null)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("status", equalTo(deleting ? "DELETING" : "DEPLOYING")));
        return id;
    }

    private AppCommand command(String appId) {
        return command(appId, c -> true);
    }

    private AppCommand command(String appId, java.util.function.Predicate<AppCommand> condition) {
        ConsumerRecord<String, byte[]> record = kafka.await(Topics.APP_COMMANDS.name(),
                r -> appId.equals(r.key()) && condition.test(JsonCodec.decode(r.value(), AppCommand.class)), WAIT);
        return JsonCodec.decode(record.value(), AppCommand.class);
    }
}
