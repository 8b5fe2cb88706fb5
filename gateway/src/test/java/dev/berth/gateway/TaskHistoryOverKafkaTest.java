package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.TaskFailure;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.gateway.view.ViewConsumer;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PrometheusText;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What became of an app's tasks (the scheduler's berth.task-history) on the app, its tasks, its queue
 * entry and {@code GET /v1/tasks?state=terminal}, over the real broker.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class TaskHistoryOverKafkaTest extends OverKafka {
    private static final String OOM = "OOM_KILLED: the kernel killed it for using more than its 64 MiB of memory";

    @Test
    void anOomLoopingAppSaysSoOnItsViewItsQueueEntryAndItsEndedTasks() {
        // Given an app whose single instance was OOM-killed three times in a row, and now waits 4 s
        String id = "/" + group + "/hungry";
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(30);
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 1), 1, false, null)));
        AppTaskHistory history = AppTaskHistory.empty(id);
        for (int i = 0; i < 3; i++) {
            TaskRecord ended = oomKilled(id, "t" + i, t0.plusSeconds(i * 5L));
            history = history.withEnded(ended, 20, null, ended.occurredAt())
                    .withFailure(TaskFailure.of(ended, ended.occurredAt()), null, ended.occurredAt());
        }
        kafka.send(Topics.TASK_HISTORY.name(), id, JsonCodec.encodeBytes(history));
        Instant delayedUntil = t0.plusSeconds(60);
        kafka.send(Topics.QUEUE.name(), id, JsonCodec.encodeBytes(AppQueue.of(id, 1, Map.of(), delayedUntil, t0,
                new AppQueue.Delay(history.lastTaskFailure(), 3, 4.0))));

        // Then the app says it crash-loops, and why: Marathon's lastTaskFailure with exit code and node
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("status", equalTo("CRASH_LOOPING"))
                .body("failuresInARow", equalTo(3))
                .body("lastTaskFailure.taskId", equalTo(taskId(id) + ".t2"))
                .body("lastTaskFailure.state", equalTo("FAILED"))
                .body("lastTaskFailure.message", equalTo(OOM))
                .body("lastTaskFailure.exitCode", equalTo(137))
                .body("lastTaskFailure.node", equalTo("node-1"))
                .body("lastTaskFailure.version", equalTo(1))
                .body("lastTaskFailure.timestamp", equalTo(t0.plusSeconds(10).toString()))
                .body("delay.lastFailure.message", equalTo(OOM))
                .body("delay.backoffSeconds", equalTo(4.0f)));
        // And the queue entry says why it is delayed, with the numbers
        String entry = "queue.find { it.appId == '" + id + "' }";
        given().when().get("/v1/queue").then().statusCode(200)
                .body(entry + ".delayedUntil", equalTo(delayedUntil.toString()))
                .body(entry + ".delay.lastFailure.message", equalTo(OOM))
                .body(entry + ".delay.lastFailure.exitCode", equalTo(137))
                .body(entry + ".delay.failuresInARow", equalTo(3))
                .body(entry + ".delay.backoffSeconds", equalTo(4.0f));
        // And the ended tasks are listed, newest end first, with state, reason, exit code, node and times
        given().when().get("/v1/tasks?app=" + id + "&state=terminal").then().statusCode(200)
                .body("tasks.id", contains(taskId(id) + ".t2", taskId(id) + ".t1", taskId(id) + ".t0"))
                .body("tasks[0].state", equalTo("FAILED"))
                .body("tasks[0].reason", equalTo(OOM))
                .body("tasks[0].exitCode", equalTo(137))
                .body("tasks[0].node", equalTo("node-1"))
                .body("tasks[0].endedAt", equalTo(t0.plusSeconds(10).toString()))
                .body("tasks[0].launchedAt", equalTo(t0.plusSeconds(9).toString()));
        // and by their end state, and one by one
        given().when().get("/v1/tasks?app=" + id + "&state=failed").then().statusCode(200)
                .body("tasks.id", contains(taskId(id) + ".t2", taskId(id) + ".t1", taskId(id) + ".t0"));
        given().when().get("/v1/tasks?app=" + id + "&state=KILLED").then().statusCode(200)
                .body("tasks.id", not(hasItem(taskId(id) + ".t2")));
        given().when().get("/v1/tasks/" + taskId(id) + ".t1").then().statusCode(200)
                .body("state", equalTo("FAILED")).body("endedAt", equalTo(t0.plusSeconds(5).toString()));
        // and beside live tasks of a state when both are asked for
        given().when().get("/v1/tasks?app=" + id + "&state=terminal&state=staging").then().statusCode(200)
                .body("tasks.id", contains(taskId(id) + ".t2", taskId(id) + ".t1", taskId(id) + ".t0"));
        // and the live list does not mix them in
        given().when().get("/v1/tasks?app=" + id).then().statusCode(200).body("tasks.id", not(hasItem(taskId(id) + ".t2")));

        // When a task of the instance runs again, it shows the instance's restarts and last failure
        kafka.send(Topics.TASKS.name(), taskId(id) + ".t3", JsonCodec.encodeBytes(TaskRecord.launched(null, taskId(id) + ".t3", id, 1, 0,
                "node-1", "127.0.0.1", List.of(), t0.plusSeconds(20), null)
                .observed(TaskState.RUNNING, null, null, null, t0.plusSeconds(21))));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("tasks[0].restarts", equalTo(3))
                .body("tasks[0].lastFailure.message", equalTo(OOM))
                // a relaunched task running for a moment is no end of the crash loop
                .body("status", equalTo("CRASH_LOOPING")));

        // When the scheduler settles the app (it stayed up), the loop is over but its last failure stays
        kafka.send(Topics.QUEUE.name(), id, (byte[]) null);
        kafka.send(Topics.TASK_HISTORY.name(), id, JsonCodec.encodeBytes(history.settled(null, Instant.now())));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("status", equalTo("RUNNING"))
                .body("failuresInARow", equalTo(0))
                .body("lastTaskFailure.message", equalTo(OOM)));

        // When the app is gone, so is its history
        kafka.send(Topics.TASK_HISTORY.name(), id, (byte[]) null);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/tasks?app=" + id + "&state=terminal")
                .then().statusCode(200).body("tasks.id", not(hasItem(taskId(id) + ".t2"))));
    }

    @Test
    void aSingleFailureWaitingOutItsBackoffSaysBackoff() {
        String id = "/" + group + "/once";
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 1), 1, false, null)));
        TaskRecord ended = oomKilled(id, "a", t0);
        AppTaskHistory history = AppTaskHistory.empty(id).withEnded(ended, 20, null, t0)
                .withFailure(TaskFailure.of(ended, t0), null, t0);
        kafka.send(Topics.TASK_HISTORY.name(), id, JsonCodec.encodeBytes(history));
        kafka.send(Topics.QUEUE.name(), id, JsonCodec.encodeBytes(AppQueue.of(id, 1, Map.of(), t0.plusSeconds(1), t0,
                new AppQueue.Delay(history.lastTaskFailure(), 1, 1.0))));

        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("status", equalTo("BACKOFF")).body("failuresInARow", equalTo(1)));
    }

    @Test
    void aRecordTheViewCannotReadIsCountedAsADeadLetterOfItsTopic() throws Exception {
        double before = deadLettersFromTaskHistory();

        kafka.send(Topics.TASK_HISTORY.name(), "poison-" + group, "{broken");

        await().atMost(WAIT).until(() -> deadLettersFromTaskHistory() >= before + 1);
    }

    @Test
    void theViewsConsumerLagIsScrapedUnderItsClientId() {
        // Given the gateway's view following the state topics
        // Then its consumer shows its largest lag, named by its client id
        await().atMost(WAIT).until(() -> !Double.isNaN(PrometheusText.value(scrapeWithoutToken(),
                "kafka_consumer_fetch_manager_records_lag_max", "client_id", ViewConsumer.CLIENT_ID)));
    }

    private static double deadLettersFromTaskHistory() throws Exception {
        double value = PrometheusText.value(scrapeWithoutToken(), "berth_dead_letters_total",
                "topic", Topics.TASK_HISTORY.name());
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void anUnknownStateFilterIsRefusedAndAPoisonedHistoryIsDeadLettered() {
        given().when().get("/v1/tasks?state=sleeping").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].message", org.hamcrest.Matchers.containsString("terminal"));
        String key = "poison-" + group;
        kafka.send(Topics.TASK_HISTORY.name(), key, "{broken");
        var dead = kafka.await(Topics.DEAD_LETTER.name(), r -> key.equals(r.key())
                && Topics.TASK_HISTORY.name().equals(KafkaProbe.header(r, DeadLetters.SOURCE_TOPIC)), WAIT);
        assertTrue(KafkaProbe.header(dead, DeadLetters.REASON).contains("AppTaskHistory"),
                () -> KafkaProbe.header(dead, DeadLetters.REASON));
        given().when().get("/v1/apps/" + group + "/none").then().statusCode(404).body("lastTaskFailure", nullValue());
    }

    /** Task ids as the scheduler makes them: the app id without its slashes, a dot, a unique part. */
    private static String taskId(String appId) {
        return appId.substring(1).replace('/', '_');
    }

    /** A task of instance 0 the kernel killed for memory at {@code at}, a second after its launch. */
    private static TaskRecord oomKilled(String appId, String suffix, Instant at) {
        return TaskRecord.launched(null, taskId(appId) + "." + suffix, appId, 1, 0, "node-1", "127.0.0.1", List.of(),
                at.minusSeconds(1), null).observed(TaskState.FAILED, OOM, 137, null, at);
    }
}
