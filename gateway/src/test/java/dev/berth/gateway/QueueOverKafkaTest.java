package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /v1/queue and the queue fields of an app, from the scheduler's berth.queue, over the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class QueueOverKafkaTest extends OverKafka {

    @Test
    void waitingInstancesShowOnTheQueueAndTheAppAndGoWithTheTombstone() {
        // Given an app, and the scheduler's word that 2 of its instances wait
        String id = "/" + group + "/db";
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 3), 1, false, null)));
        Instant since = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        Instant delayedUntil = since.plusSeconds(120);
        kafka.send(Topics.QUEUE.name(), id, JsonCodec.encodeBytes(AppQueue.of(id, 2,
                Map.of("constraint hostname UNIQUE", 2, "insufficient mem", 3), delayedUntil, since)));

        // Then the queue lists it with the reasons, and so does the app
        String entry = "queue.find { it.appId == '" + id + "' }";
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/queue").then().statusCode(200)
                .body(entry + ".waiting", equalTo(2))
                .body(entry + ".unplaced.'insufficient mem'", equalTo(3))
                .body(entry + ".unplaced.'constraint hostname UNIQUE'", equalTo(2))
                .body(entry + ".delayedUntil", equalTo(delayedUntil.toString()))
                .body(entry + ".since", equalTo(since.toString())));
        given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("waiting", equalTo(2)).body("unplaced.'insufficient mem'", equalTo(3))
                .body("delayedUntil", equalTo(delayedUntil.toString()));

        // When the scheduler tombstones the entry, nothing waits any more
        kafka.send(Topics.QUEUE.name(), id, (byte[]) null);

        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/queue").then().statusCode(200)
                .body("queue.appId", not(hasItem(id))));
        given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("waiting", equalTo(0)).body("unplaced", anEmptyMap()).body("delayedUntil", nullValue());
    }

    @Test
    void theQueueIsSortedByAppIdAndAnEntryWithoutADelayHasNone() {
        String later = "/" + group + "/zeta";
        String earlier = "/" + group + "/alpha";
        kafka.send(Topics.QUEUE.name(), later, JsonCodec.encodeBytes(AppQueue.of(later, 1, Map.of(), null, Instant.now())));
        kafka.send(Topics.QUEUE.name(), earlier, JsonCodec.encodeBytes(AppQueue.of(earlier, 4, Map.of("insufficient cpus", 1),
                null, Instant.now())));

        await().atMost(WAIT).untilAsserted(() -> {
            List<String> ids = given().when().get("/v1/queue").then().statusCode(200)
                    .extract().jsonPath().getList("queue.appId", String.class);
            assertTrue(ids.contains(earlier) && ids.contains(later), () -> "queue: " + ids);
            assertEquals(ids.stream().sorted().toList(), ids, "sorted by app id");
        });
        given().when().get("/v1/queue").then()
                .body("queue.find { it.appId == '" + later + "' }.delayedUntil", nullValue())
                .body("queue.find { it.appId == '" + later + "' }.unplaced", anEmptyMap());
    }

    @Test
    void unreadableQueueAndNodeAdminRecordsAreDeadLetteredAndTheViewCarriesOn() {
        String key = "poison-" + group;
        kafka.send(Topics.QUEUE.name(), key, "{broken");
        kafka.send(Topics.NODE_ADMIN.name(), key, "{broken");
        kafka.send(Topics.NODE_ADMIN.name(), key + "-type", "{\"type\": \"EvictNode\", \"nodeId\": \"n\"}");
        kafka.send(Topics.QUEUE.name(), key + "-noid", "{\"waiting\": 1}");
        kafka.send(Topics.NODE_ADMIN.name(), key + "-noid", JsonCodec.encodeBytes(DrainNode.of(null)));
        String id = "/" + group + "/after";
        kafka.send(Topics.QUEUE.name(), id, JsonCodec.encodeBytes(AppQueue.of(id, 1, Map.of(), null, Instant.now())));

        assertDeadLettered(Topics.QUEUE.name(), key, "not a valid AppQueue");
        assertDeadLettered(Topics.NODE_ADMIN.name(), key, "not a valid NodeAdminCommand");
        assertDeadLettered(Topics.NODE_ADMIN.name(), key + "-type", "EvictNode");
        assertDeadLettered(Topics.QUEUE.name(), key + "-noid", "no appId");
        assertDeadLettered(Topics.NODE_ADMIN.name(), key + "-noid", "no nodeId");
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/queue").then()
                .body("queue.appId", hasItem(id)));
    }

    private void assertDeadLettered(String topic, String key, String reason) {
        var dead = kafka.await(Topics.DEAD_LETTER.name(), r -> key.equals(r.key())
                && topic.equals(KafkaProbe.header(r, DeadLetters.SOURCE_TOPIC))
                && "gateway".equals(KafkaProbe.header(r, DeadLetters.CONSUMER)), WAIT);
        assertTrue(KafkaProbe.header(dead, DeadLetters.REASON).contains(reason),
                () -> "reason: " + KafkaProbe.header(dead, DeadLetters.REASON));
    }

}
