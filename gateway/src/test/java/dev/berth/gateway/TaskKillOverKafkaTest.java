package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CommandReply.Outcome;
import dev.berth.contracts.messages.KillAppTask;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /v1/tasks/{id}/kill, with and without scale, over the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class TaskKillOverKafkaTest extends OverKafka {

    @Test
    void aKillWithoutScaleAsksTheSchedulerToReplaceTheTaskAndKeepsTheCount() {
        // Given an app of 2 instances with a task
        String taskId = givenTask("web", 2);

        // When the task is killed
        given().when().post("/v1/tasks/" + taskId + "/kill")

                // Then the answer shows the task and the app's version, unchanged
                .then().statusCode(200).body("task.id", equalTo(taskId)).body("scale", equalTo(false))
                .body("appVersion", equalTo(1));
        KillAppTask kill = assertInstanceOf(KillAppTask.class, command("/" + group + "/web"));
        assertEquals(taskId, kill.taskId());
        assertFalse(kill.scaleDown());
    }

    @Test
    void aKillWithScaleDropsTheAppByOneInstance() {
        String taskId = givenTask("api", 2);
        String id = "/" + group + "/api";

        given().queryParam("scale", "true").when().post("/v1/tasks/" + taskId + "/kill")
                .then().statusCode(200).body("task.id", equalTo(taskId)).body("scale", equalTo(true))
                .body("appVersion", equalTo(2));

        assertTrue(assertInstanceOf(KillAppTask.class, command(id)).scaleDown());
        given().when().get("/v1/apps" + id).then().statusCode(200).body("instances", equalTo(1))
                .body("version", equalTo(2));
    }

    @Test
    void aBadScaleIs400NamingTheParameterAndNothingIsSent() {
        String taskId = givenTask("bad", 1);

        given().queryParam("scale", "yes").when().post("/v1/tasks/" + taskId + "/kill")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("scale"));

        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(),
                r -> ("/" + group + "/bad").equals(r.key()), Duration.ofSeconds(1)));
    }

    @Test
    void anUnknownTaskOrAnotherTeamsTaskIs404() {
        String taskId = givenTask("hidden", 1);

        given().when().post("/v1/tasks/" + group + ".nothing/kill").then().statusCode(404)
                .contentType("application/problem+json");
        given().header("Authorization", "Bearer " + TestTokens.operator("someone-else"))
                .when().post("/v1/tasks/" + taskId + "/kill").then().statusCode(404);
        assertEquals(List.of(), scheduler.received());
    }

    @Test
    void aTaskTheSchedulerNoLongerRunsIs404WithItsReason() {
        String taskId = givenTask("ended", 1);
        String reason = "no running task " + taskId + " in /" + group + "/ended";
        scheduler.refuseNext(Outcome.NOT_FOUND, reason);

        given().when().post("/v1/tasks/" + taskId + "/kill").then().statusCode(404).body("detail", equalTo(reason));
    }

    /** Records an app of {@code instances} and one running task of it, and waits until the view shows the task. */
    private String givenTask(String name, int instances) {
        String id = "/" + group + "/" + name;
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, instances), 1, false, null)));
        TaskRecord task = TaskRecord.launched(null, id.substring(1).replace('/', '_') + ".0", id, 1, 0, "node-1",
                "10.0.0.1", List.of(), Instant.now(), null);
        kafka.send(Topics.TASKS.name(), task.taskId(), JsonCodec.encodeBytes(task));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/tasks/" + task.taskId())
                .then().statusCode(200));
        return task.taskId();
    }

    private AppCommand command(String appId) {
        return JsonCodec.decode(kafka.await(Topics.APP_COMMANDS.name(), r -> appId.equals(r.key()), WAIT).value(),
                AppCommand.class);
    }
}
