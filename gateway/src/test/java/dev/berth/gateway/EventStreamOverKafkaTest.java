package dev.berth.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.gateway.events.EventStreams;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PrometheusText;
import dev.berth.testkit.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /v1/events} over the real broker: the test publishes CloudEvents on {@code berth.events} as
 * the scheduler would and reads the stream over a real HTTP connection. Each test's events carry its own
 * team ({@code group}), and its streams ask for that team, so tests sharing the topic never see each other's.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class EventStreamOverKafkaTest extends OverKafka {
    @TestHTTPResource("/")
    URL gateway;

    @Inject
    EventStreams streams;

    private KafkaProducer<String, byte[]> producer;
    private final List<SseClient> clients = new ArrayList<>();

    @BeforeEach
    void openProducer() {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        // A stream of the test before may still be closing; each test counts its own.
        await().atMost(WAIT).until(() -> streams.openStreams() == 0);
    }

    @AfterEach
    void closeProducerAndClients() throws Exception {
        for (SseClient client : clients) {
            client.close();
        }
        producer.close();
    }

    @Test
    void newEventsArriveOneSseEventEachWithTheirOffsetAsId() throws Exception {
        // Given a reader of the team's events, at the end of the topic
        SseClient reader = connect("?team=" + group, Map.of());

        // When the scheduler publishes two events
        CloudEvent created = event(EventTypes.APP_CREATED, "apps/" + group + "/web", group);
        CloudEvent running = event(EventTypes.TASK_STATE, "tasks/" + group + "_web.1", group);
        long createdAt = publish(created);
        long runningAt = publish(running);

        // Then each arrives as one SSE event: id = its offset, event = its type, data = the CloudEvent on one line
        SseClient.Frame first = reader.nextEvent(WAIT);
        assertEquals(Long.toString(createdAt), first.id());
        assertEquals(EventTypes.APP_CREATED, first.event());
        assertFalse(first.data().contains("\n"));
        JsonNode data = JsonCodec.mapper().readTree(first.data());
        assertEquals(created.id(), data.get("id").asText());
        assertEquals("1.0", data.get("specversion").asText());
        assertEquals("apps/" + group + "/web", data.get("subject").asText());
        assertEquals(group, data.get("team").asText());
        assertEquals("web", data.get("data").get("app").asText());
        SseClient.Frame second = reader.nextEvent(WAIT);
        assertEquals(Long.toString(runningAt), second.id());
        assertEquals(EventTypes.TASK_STATE, second.event());
        assertEquals("text/event-stream", reader.response.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void aReconnectWithLastEventIdGetsExactlyTheEventsAfterItNoGapNoRepeat() throws Exception {
        // Given a reader that saw the first of three events and then went away
        SseClient reader = connect("?team=" + group, Map.of());
        long[] offsets = {publishTask(1), publishTask(2), publishTask(3)};
        String lastSeen = reader.nextEvent(WAIT).id();
        assertEquals(Long.toString(offsets[0]), lastSeen);
        reader.close();
        long fourth = publishTask(4);

        // When it reconnects naming the last event it saw
        SseClient again = connect("?team=" + group, Map.of("Last-Event-ID", lastSeen));

        // Then it gets the ones after, in order, and then new ones, never one twice
        assertEquals(Long.toString(offsets[1]), again.nextEvent(WAIT).id());
        assertEquals(Long.toString(offsets[2]), again.nextEvent(WAIT).id());
        assertEquals(Long.toString(fourth), again.nextEvent(WAIT).id());
        long fifth = publishTask(5);
        assertEquals(Long.toString(fifth), again.nextEvent(WAIT).id());
    }

    @Test
    void sinceResumesLikeLastEventIdAndTheHeaderWins() throws Exception {
        long[] offsets = {publishTask(1), publishTask(2), publishTask(3)};

        SseClient bySince = connect("?team=" + group + "&since=" + offsets[0], Map.of());
        assertEquals(Long.toString(offsets[1]), bySince.nextEvent(WAIT).id());

        // An EventSource reconnects to the same URL, ?since= included; its Last-Event-ID is the later word
        SseClient both = connect("?team=" + group + "&since=" + offsets[0], Map.of("Last-Event-ID",
                Long.toString(offsets[1])));
        assertEquals(Long.toString(offsets[2]), both.nextEvent(WAIT).id());
    }

    @Test
    void aResumePointNoLongerHeldStartsAtTheEarliestAndSaysSo() throws Exception {
        // Given three events, the first two deleted since (retention)
        long first = publishTask(1);
        publishTask(2);
        long third = publishTask(3);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfra.kafka().bootstrapServers()))) {
            admin.deleteRecords(Map.of(new TopicPartition(Topics.EVENTS.name(), 0), RecordsToDelete.beforeOffset(third)))
                    .all().get();
        }

        // When a reader resumes after the first
        SseClient reader = connect("?team=" + group, Map.of("Last-Event-ID", Long.toString(first)));

        // Then it is told what is gone, and starts at the earliest event held
        String note = reader.start.comments().get(0);
        assertTrue(note.contains("no longer held"), note);
        assertTrue(note.contains("starting at the earliest held, " + third), note);
        assertEquals(Long.toString(third), reader.nextEvent(WAIT).id());
    }

    @Test
    void filtersByTypePrefixExactTeamAndSubjectPrefix() throws Exception {
        // Given readers asking for the team's task events, the team's events, and a node's and an app's
        SseClient tasks = connect("?type=dev.berth.task.&team=" + group, Map.of());
        SseClient team = connect("?team=" + group, Map.of());
        SseClient subjects = connect("?subject=nodes/" + group + "&subject=apps/" + group + "/", Map.of());

        // When events of several types, teams and subjects are published
        long taskState = publish(event(EventTypes.TASK_STATE, "tasks/" + group + "_web.1", group));
        long appCreated = publish(event(EventTypes.APP_CREATED, "apps/" + group + "/web", group));
        publish(event(EventTypes.TASK_STATE, "tasks/" + group + "x_web.1", group + "x"));
        long nodeUp = publish(event(EventTypes.NODE_UP, "nodes/" + group, null));
        long taskHealth = publish(event(EventTypes.TASK_HEALTH, "tasks/" + group + "_web.1", group));
        long nodeDown = publish(event(EventTypes.NODE_DOWN, "nodes/" + group, null));

        // Then each reader gets what it asked for, in order, and nothing else before its last
        assertEquals(List.of(taskState, taskHealth), ids(tasks, 2));
        assertEquals(List.of(taskState, appCreated, taskHealth), ids(team, 3));
        assertEquals(List.of(appCreated, nodeUp, nodeDown), ids(subjects, 3));
    }

    @Test
    void aRecordThatIsNotACloudEventIsSkippedAndTheStreamGoesOn() throws Exception {
        SseClient reader = connect("?team=" + group, Map.of());

        // When garbage, a tombstone and a CloudEvent without a type come before a good event
        long garbage = send("apps/" + group + "/web", "{not json".getBytes(StandardCharsets.UTF_8));
        send("apps/" + group + "/web", null);
        send("apps/" + group + "/web", ("{\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"/berth/scheduler\", "
                + "\"team\": \"" + group + "\"}").getBytes(StandardCharsets.UTF_8));
        long good = publishTask(1);

        // Then the good one arrives, and only it
        assertEquals(garbage + 3, good);
        assertEquals(Long.toString(good), reader.nextEvent(WAIT).id());
        assertEquals(Long.toString(publishTask(2)), reader.nextEvent(WAIT).id());
    }

    @Test
    void aReaderThatHangsUpHasItsConsumerClosed() throws Exception {
        SseClient reader = connect("?team=" + group, Map.of());
        assertEquals(1, streams.openStreams());

        reader.close();

        await().atMost(WAIT).until(() -> streams.openStreams() == 0);
    }

    @Test
    void anOpenStreamIsCountedInTheMetricsUntilItsReaderHangsUp() throws Exception {
        SseClient reader = connect("?team=" + group, Map.of());
        assertEquals(1.0, PrometheusText.value(scrapeWithoutToken(), "berth_gateway_event_streams"));

        reader.close();

        await().atMost(WAIT).until(() -> PrometheusText.value(scrapeWithoutToken(), "berth_gateway_event_streams") == 0);
    }

    @Test
    void aQuietStreamGetsHeartbeatComments() throws Exception {
        SseClient reader = connect("?team=" + group, Map.of());

        SseClient.Frame heartbeat = reader.nextCommentContaining("heartbeat", WAIT);

        assertFalse(heartbeat.isEvent());
    }

    @Test
    void streamsBeyondTheBoundAre503UntilOneCloses() throws Exception {
        // Given as many streams as the gateway allows (4 in tests)
        List<SseClient> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            open.add(connect("?team=" + group, Map.of()));
        }

        // Then one more is refused with a problem
        SseClient refused = SseClient.open(URI.create(gateway + "v1/events"), Map.of());
        assertEquals(503, refused.response.statusCode());
        assertEquals("application/problem+json", refused.response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("5", refused.response.headers().firstValue("Retry-After").orElse(""));
        assertTrue(new String(refused.response.body().readAllBytes(), StandardCharsets.UTF_8)
                .contains("berth.gateway.events.max-streams"));

        // And once one hangs up, a new one is let in
        open.get(0).close();
        await().atMost(WAIT).until(() -> streams.openStreams() < 4);
        connect("?team=" + group, Map.of());
    }

    @Test
    void aLastEventIdThatIsNoOffsetIs400() {
        given().header("Last-Event-ID", "abc").when().get("/v1/events")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Last-Event-ID"));
        given().when().get("/v1/events?since=-2")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("since"));
    }

    /** Connects and waits for the first frame, the note saying where the stream starts: from then on, it reads. */
    private SseClient connect(String query, Map<String, String> headers) throws Exception {
        SseClient client = SseClient.open(URI.create(gateway + "v1/events" + query), headers);
        clients.add(client);
        assertEquals(200, client.response.statusCode());
        SseClient.Frame note = client.nextFrame(WAIT);
        assertFalse(note.isEvent(), "the first frame is the note on where the stream starts: " + note);
        assertFalse(note.comments().contains("heartbeat"), "the note on where the stream starts comes first");
        client.start = note;
        return client;
    }

    private static List<Long> ids(SseClient reader, int count) throws InterruptedException {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(Long.parseLong(reader.nextEvent(WAIT).id()));
        }
        return ids;
    }

    private CloudEvent event(String type, String subject, String team) {
        return CloudEvent.of("/berth/scheduler", type, subject, team, Instant.now(), Map.of("app", "web"));
    }

    private long publishTask(int n) throws Exception {
        return publish(event(EventTypes.TASK_STATE, "tasks/" + group + "_web." + n, group));
    }

    private long publish(CloudEvent event) throws Exception {
        return send(event.subject(), JsonCodec.encodeBytes(event));
    }

    /** Sends as the scheduler does (key = subject) and returns the record's offset. */
    private long send(String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.EVENTS.name(), key, value)).get().offset();
    }
}
