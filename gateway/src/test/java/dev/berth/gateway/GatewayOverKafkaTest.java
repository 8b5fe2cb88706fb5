package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppRoutes;
import dev.berth.contracts.routing.RouteAffinity;
import dev.berth.contracts.routing.RouteClaim;
import dev.berth.contracts.routing.RouteState;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class GatewayOverKafkaTest extends OverKafka {

    @Test
    void aValidAppIsPublishedCreatedOnceTheSchedulerAcceptedItAndShownAtOnce() {
        String id = "/" + group + "/web";

        // When a valid app is posted (its id without the leading slash, its mem left to the default)
        given().contentType(ContentType.JSON).body("{\"id\": \"" + group + "/web\", \"cmd\": \"sleep 1\", \"cpus\": 0.5}")
                .when().post("/v1/apps")
                .then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.endsWith("/v1/apps" + id)).header("ETag", "\"1\"")
                .body("id", equalTo(id)).body("status", equalTo("DEPLOYING")).body("version", equalTo(1))
                .body("mem", equalTo(128.0f));

        // Then the scheduler got the CreateApp, a GET right away shows the app, and a second create is refused
        AppCommand command = JsonCodec.decode(kafka.await(Topics.APP_COMMANDS.name(), r -> id.equals(r.key()), WAIT).value(),
                AppCommand.class);
        assertEquals(0.5, assertInstanceOf(CreateApp.class, command).app().cpus());
        given().when().get("/v1/apps" + id).then().statusCode(200).header("ETag", "\"1\"")
                .body("status", equalTo("DEPLOYING")).body("version", equalTo(1));
        given().contentType(ContentType.JSON).body("{\"id\": \"" + id + "\", \"cmd\": \"x\"}")
                .when().post("/v1/apps").then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void anAppDeletedAndRemovedIsGoneAndItsIdIsFreeAgain() {
        // Given an app posted and deleted, with no GET of it in between
        String id = "/" + group + "/brief";
        given().contentType(ContentType.JSON).body("{\"id\": \"" + id + "\", \"cmd\": \"sleep 1\"}")
                .when().post("/v1/apps").then().statusCode(201);
        given().when().delete("/v1/apps" + id).then().statusCode(200).body("status", equalTo("DELETING"));

        // When the scheduler has removed it
        kafka.send(Topics.APPS.name(), id, (byte[]) null);

        // Then it is gone and its id is free
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(404));
        given().contentType(ContentType.JSON).body("{\"id\": \"" + id + "\", \"cmd\": \"sleep 1\"}")
                .when().post("/v1/apps").then().statusCode(201);
    }

    @Test
    void anInvalidAppIsRefusedWithEveryFieldAndNothingIsPublished() {
        String id = "/" + group + "/bad";
        given().contentType(ContentType.JSON).body("""
                {"id": "%s", "cmd": "x", "cpus": -1, "instances": -1, "colour": "red",
                 "container": {"type": "DOCKER"},
                 "portDefinitions": [{"name": "a"}, {"name": "a"}]}""".formatted(id))
                .when().post("/v1/apps")
                .then().statusCode(422).contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("errors.field", equalTo(List.of("colour", "instances", "cpus", "portDefinitions[1].name",
                        "container.docker.image")))
                .body("detail", containsString("5 fields were refused"));
        given().contentType(ContentType.JSON).body("{\"id\": \"Bad Id!\", \"cmd\": \"x\"}")
                .when().post("/v1/apps").then().statusCode(422).body("errors[0].field", equalTo("id"));
        given().contentType(ContentType.JSON).body("{\"id\": ")
                .when().post("/v1/apps").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("not valid JSON"));

        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(), r -> id.equals(r.key()),
                Duration.ofSeconds(2)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "42", "\"text\"", "null"})
    void aBodyThatIsNotAnObjectIsRefused(String body) {
        given().contentType(ContentType.JSON).body(body).when().post("/v1/apps")
                .then().statusCode(org.hamcrest.Matchers.oneOf(400, 422)).contentType("application/problem+json");
    }

    @Test
    void wrongMediaTypeUnknownRoutesAndHugeBodiesGetProblems() {
        given().contentType(ContentType.TEXT).body("id=x").when().post("/v1/apps")
                .then().statusCode(415).contentType("application/problem+json");
        given().when().get("/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
        given().when().put("/v1/nodes").then().statusCode(405).contentType("application/problem+json");
        String huge = "{\"id\": \"/big\", \"cmd\": \"" + "x".repeat(1_100_000) + "\"}";
        given().contentType(ContentType.JSON).body(huge).when().post("/v1/apps")
                .then().statusCode(413).contentType("application/problem+json");
    }

    @Test
    void theViewShowsTasksNodesAndAllocationAsTheSchedulerRecordedThem() {
        // Given the scheduler's records of a 2-instance app, its tasks, and a node's heartbeat
        String id = "/" + group + "/api";
        String nodeId = "node-" + group;
        AppDefinition app = app(id, 2);
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app, 1, false, null)));
        for (int i = 0; i < 2; i++) {
            kafka.send(Topics.TASKS.name(), id + "." + i, JsonCodec.encodeBytes(task(id + "." + i, id, i, nodeId,
                    TaskState.RUNNING)));
        }
        kafka.send(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(new NodeHeartbeat("hb", 1, Instant.now(), null,
                nodeId, "host-a", "10.0.0.7", new NodeResources(4, 2048, 1000), new PortRange(31000, 31099),
                Map.of("zone", "a"), "best-effort", "http://10.0.0.7:8090", List.of(id + ".0", id + ".1"))));

        // Then the app is RUNNING with both tasks, and the node shows what they take
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("status", equalTo("RUNNING")).body("tasksRunning", equalTo(2)).body("tasks", hasSize(2))
                .body("tasks[0].node", equalTo(nodeId)).body("tasks[0].host", equalTo("10.0.0.7"))
                .body("tasks[0].ports", equalTo(List.of(31000))).body("tasks[0].state", equalTo("RUNNING")));
        given().when().get("/v1/apps").then().statusCode(200).body("apps.id", hasItem(id));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId).then().statusCode(200)
                .body("allocated.cpus", equalTo(1.0f)).body("allocated.mem", equalTo(64.0f))
                .body("attributes.zone", equalTo("a")).body("capacity.cpus", equalTo(4.0f)));
        given().when().get("/v1/nodes").then().body("nodes.id", hasItem(nodeId));

        // When the scheduler tombstones the app, it is gone
        kafka.send(Topics.APPS.name(), id, (byte[]) null);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(404)
                .contentType("application/problem+json"));
    }

    @Test
    void deletePublishesTheCommandAnswersWithTheAppDeletingAndAnUnknownAppIs404() {
        String id = "/" + group + "/old";
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 1), 1, false, null)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200));

        given().when().delete("/v1/apps" + id).then().statusCode(200).body("status", equalTo("DELETING"))
                .body("version", equalTo(2));

        assertInstanceOf(DeleteApp.class, JsonCodec.decode(kafka.await(Topics.APP_COMMANDS.name(), r -> id.equals(r.key()),
                WAIT).value(), AppCommand.class));
        given().when().delete("/v1/apps/" + group + "/never").then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("/" + group + "/never"));
        given().when().get("/v1/nodes/no-such-node").then().statusCode(404);
    }

    @Test
    void malformedStateRecordsAreDeadLetteredAndTheViewKeepsServing() {
        String id = "/" + group + "/after";
        for (String topic : List.of(Topics.APPS.name(), Topics.TASKS.name(), Topics.NODE_STATUS.name(), Topics.NODE_ADMIN.name(), Topics.QUEUE.name(),
                Topics.VOLUME_EVENTS.name())) {
            kafka.send(topic, "poison-" + group, "{broken");
        }
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 1), 1, false, null)));

        for (String topic : List.of(Topics.APPS.name(), Topics.TASKS.name(), Topics.NODE_STATUS.name(), Topics.NODE_ADMIN.name(), Topics.QUEUE.name(),
                Topics.VOLUME_EVENTS.name())) {
            var dead = kafka.await(Topics.DEAD_LETTER.name(), r -> ("poison-" + group).equals(r.key())
                    && topic.equals(KafkaProbe.header(r, DeadLetters.SOURCE_TOPIC))
                    && "gateway".equals(KafkaProbe.header(r, DeadLetters.CONSUMER)), WAIT);
            assertEquals("{broken", KafkaProbe.text(dead));
        }
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200));
    }

    @Test
    void theRoutesTheSchedulerDecidedAreShownOnTheAppAndInTheListAndGoWithTheirTombstone() {
        String id = "/" + group + "/routed";
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 1), 1, false, null)));
        RouteClaim served = new RouteClaim(0, "/" + group + "/routed", null, true, RouteAffinity.SESSION, null);
        RouteClaim refused = new RouteClaim(1, null, "taken.example.com", true, RouteAffinity.NONE, null);
        kafka.send(Topics.ROUTES.name(), id, JsonCodec.encodeBytes(new AppRoutes("r-" + group, 1, Instant.now(), null, id,
                List.of(RouteState.active(served), RouteState.refused(refused, "the host taken.example.com is routed to /x")), 3)));

        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("routes", hasSize(2)).body("routes[0].state", equalTo("ACTIVE"))
                .body("routes[0].affinity", equalTo("SESSION")).body("routes[0].path", equalTo("/" + group + "/routed"))
                .body("routes[1].state", equalTo("REFUSED")).body("routes[1].reason", containsString("routed to /x")));
        given().when().get("/v1/routes").then().statusCode(200).body("routes.appId", hasItem(id))
                .body("routes.find { it.appId == '" + id + "' && it.portIndex == 0 }.drainSeconds", equalTo(3));

        kafka.send(Topics.ROUTES.name(), id, (byte[]) null);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().body("routes", hasSize(0)));
        kafka.send(Topics.APPS.name(), id, (byte[]) null);
    }

    @Test
    void healthIsUp() {
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health").then().statusCode(200));
    }


    private static TaskRecord task(String taskId, String appId, int instance, String nodeId, TaskState state) {
        return new TaskRecord(UUID.randomUUID().toString(), 1, Instant.now(), null, taskId, appId, 1, instance, nodeId,
                "10.0.0.7", List.of(new PortAssignment(null, 31000 + instance)), DesiredState.RUN, state, null, null,
                Instant.now(), null, null);
    }
}
