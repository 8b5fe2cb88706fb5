package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CommandReply.Outcome;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PrometheusText;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** App commands are answered by the scheduler's reply on berth.command-replies, over the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class CommandRepliesOverKafkaTest extends OverKafka {

    @Test
    void aCreateIsAnswered201WithTheVersionTheSchedulerAcceptedAndAGetRightAfterShowsIt() {
        String id = "/" + group + "/web";

        // When an app is posted and the scheduler accepts it
        given().contentType(ContentType.JSON).body("{\"id\": \"" + id + "\", \"cmd\": \"sleep 1\"}")
                .when().post("/v1/apps")
                .then().statusCode(201).body("version", equalTo(1)).body("status", equalTo("DEPLOYING"));

        // Then the scheduler had recorded it before the answer, and the very next GET shows it
        assertTrue(scheduler.state(id).isPresent(), "the scheduler recorded the app");
        given().when().get("/v1/apps" + id).then().statusCode(200).body("version", equalTo(1));
        given().when().get("/v1/apps").then().statusCode(200).body("apps.find { it.id == '" + id + "' }.version",
                equalTo(1));
    }

    @Test
    void theTimeUntilTheSchedulersAnswerIsMeasuredByCommandAndOutcome() throws Exception {
        // Given the number of creates answered so far (other tests post too)
        double before = createsAccepted();

        // When an app is posted and the scheduler accepts it
        given().contentType(ContentType.JSON).body("{\"id\": \"/" + group + "/timed\", \"cmd\": \"sleep 1\"}")
                .when().post("/v1/apps").then().statusCode(201);

        // Then a scrape without a token shows one more, with its time in the histogram's buckets
        assertEquals(before + 1, createsAccepted());
        String text = scrapeWithoutToken();
        assertTrue(PrometheusText.value(text, "berth_gateway_command_seconds_bucket", "command", "CreateApp",
                "outcome", "accepted", "le", "+Inf") >= 1, text);
    }

    private static double createsAccepted() throws Exception {
        double value = PrometheusText.value(scrapeWithoutToken(), "berth_gateway_command_seconds_count",
                "command", "CreateApp", "outcome", "accepted");
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void aSilentSchedulerGets503WithRetryAfterAndTheCommandIsInKafka() {
        // Given a scheduler that does not answer (down, or failing over)
        String id = "/" + group + "/late";
        scheduler.silence();

        // When an app is posted
        Response response = given().contentType(ContentType.JSON).body("{\"id\": \"" + id + "\", \"cmd\": \"x\"}")
                .when().post("/v1/apps");

        // Then the answer is 503, says to wait rather than resend, and names the command, which is on the topic
        response.then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("detail", containsString("is in Kafka")).body("detail", containsString("Do not send it again"));
        AppCommand command = JsonCodec.decode(kafka.await(Topics.APP_COMMANDS.name(), r -> id.equals(r.key()), WAIT).value(),
                AppCommand.class);
        assertInstanceOf(CreateApp.class, command);
        assertTrue(response.jsonPath().getString("detail").contains(command.id()), "the detail names " + command.id());
        assertEquals(1, scheduler.received().size());
    }

    @ParameterizedTest
    @CsvSource({"CONFLICT, 409", "INVALID, 422", "NOT_FOUND, 404"})
    void aRefusalIsAnsweredWithItsStatusAndTheSchedulersReason(Outcome outcome, int status) {
        // Given an app the scheduler runs, and a scheduler about to refuse the next command
        String id = givenApp("web");
        String reason = "the scheduler says no (" + outcome + ") to " + id;
        scheduler.refuseNext(outcome, reason);

        // When the app is scaled
        given().contentType(ContentType.JSON).body("{\"instances\": 3}").when().patch("/v1/apps" + id)

                // Then the answer is the refusal, in the scheduler's words, and the app is unchanged
                .then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status)).body("detail", equalTo(reason));
        given().when().get("/v1/apps" + id).then().statusCode(200).body("instances", equalTo(1))
                .body("version", equalTo(1));
    }

    @Test
    void aCreateTheSchedulerFindsExistingIs409WithItsReason() {
        // Given an app another gateway created a moment ago, which this gateway's view does not show yet
        String id = "/" + group + "/raced";
        scheduler.refuseNext(Outcome.CONFLICT, "an app " + id + " already exists; delete it first or pick another id");

        // When it is posted here, then the scheduler's refusal is the answer
        given().contentType(ContentType.JSON).body("{\"id\": \"" + id + "\", \"cmd\": \"x\"}")
                .when().post("/v1/apps")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("an app " + id + " already exists; delete it first or pick another id"));
    }

    @Test
    void restartAndReplaceAreAnswered200WithTheNewVersion() {
        String id = givenApp("api");

        given().when().post("/v1/apps" + id + "/restart")
                .then().statusCode(200).header("ETag", "\"2\"").body("version", equalTo(2));
        given().when().get("/v1/apps" + id).then().statusCode(200).body("version", equalTo(2));
    }

    @Test
    void aDeleteOfAnAppTheSchedulerAlreadyRemovedIsAnswered404WithItsReason() {
        // Given an app the view still shows, but the scheduler no longer has
        String id = givenApp("gone");
        scheduler.refuseNext(Outcome.NOT_FOUND, "no app " + id);

        given().when().delete("/v1/apps" + id).then().statusCode(404).body("detail", equalTo("no app " + id));
    }

    /** Records the app as the scheduler would, and waits until the gateway's view shows it. */
    private String givenApp(String name) {
        String id = "/" + group + "/" + name;
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 1), 1, false, null)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200));
        return id;
    }
}
