package dev.berth.volume.kafka;

import dev.berth.volume.AsBerthService;
import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeEvent.Kind;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PrometheusText;
import dev.berth.testkit.PostgresTestResource;
import dev.berth.testkit.SharedInfra;
import dev.berth.volume.support.Commands;
import dev.berth.volume.support.VolumeEventLog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.berth.volume.support.VolumeEventLog.kinds;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lifecycle as the scheduler drives it: commands on berth.volume-commands, events on berth.volume-events. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
class VolumeLifecycleOverKafkaTest extends AsBerthService {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path SHARED_ROOT = Path.of("target/shared-volumes");

    private KafkaProbe kafka;
    private VolumeEventLog events;
    private String app;

    @BeforeEach
    void connect() {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        TopicBootstrap.ensureTopics(bootstrap);
        kafka = new KafkaProbe(bootstrap);
        events = new VolumeEventLog(bootstrap);
        app = "/t-" + UUID.randomUUID();
    }

    @AfterEach
    void close() {
        kafka.close();
        events.close();
    }

    @Test
    void anExternalVolumeGoesThroughItsWholeLifeAndOnlyOneNodeEverHoldsIt() {
        String v = volumeId();

        // Given a first attach: created, granted with epoch 1, provisioned on the shared root, attached
        send(Commands.external(v, app, "node-1", "t1"));
        List<VolumeEvent> seen = events.awaitCount(v, 3);
        assertEquals(List.of(Kind.CREATED, Kind.ATTACHING, Kind.ATTACHED), kinds(seen));
        assertHolder(seen.get(2).volume(), VolumeState.ATTACHED, "node-1", "t1", 1);
        assertTrue(Files.isDirectory(SHARED_ROOT.resolve(v)), "sharedfs directory provisioned");

        // When the same attach comes again: ATTACHED once more, nothing changed
        send(Commands.external(v, app, "node-1", "t1"));
        VolumeEvent again = events.awaitCount(v, 4).get(3);
        assertEquals(Kind.ATTACHED, again.kind());
        assertEquals(seen.get(2).volume().version(), again.volume().version());

        // When a second node asks while node-1 holds it: refused, nothing changed
        send(Commands.external(v, app, "node-2", "t2"));
        VolumeEvent refused = events.awaitCount(v, 5).get(4);
        assertEquals(Kind.ATTACH_REFUSED, refused.kind());
        assertTrue(refused.reason().contains("node-1"), refused.reason());
        assertHolder(refused.volume(), VolumeState.ATTACHED, "node-1", "t1", 1);
        given().get("/v1/volumes/" + v).then().statusCode(200).body("attachedNodeId", equalTo("node-1"))
                .body("version", equalTo((int) again.volume().version()));

        // When node-1 is fenced: FENCED, epoch 2
        send(FenceVolume.of(v, "node-1", "node node-1 lost", null));
        VolumeEvent fenced = events.awaitCount(v, 6).get(5);
        assertEquals(Kind.FENCED, fenced.kind());
        assertEquals("node node-1 lost", fenced.reason());
        assertEquals("t1", fenced.taskId());
        assertHolder(fenced.volume(), VolumeState.FENCED, null, null, 2);

        // Then node-2 gets it with epoch 3
        send(Commands.external(v, app, "node-2", "t2"));
        List<VolumeEvent> moved = events.awaitCount(v, 8);
        assertEquals(List.of(Kind.ATTACHING, Kind.ATTACHED), kinds(moved.subList(6, 8)));
        assertHolder(moved.get(7).volume(), VolumeState.ATTACHED, "node-2", "t2", 3);

        // When its task ends: AVAILABLE
        send(DetachVolume.of(v, "node-2", "t2", null));
        VolumeEvent detached = events.awaitCount(v, 9).get(8);
        assertEquals(Kind.DETACHED, detached.kind());
        assertHolder(detached.volume(), VolumeState.AVAILABLE, null, null, 3);

        // A delete before the release is refused; after it, the volume and its data are gone
        send(DeleteVolume.of(v, "wipe", null));
        VolumeEvent deleteRefused = events.awaitCount(v, 10).get(9);
        assertEquals(Kind.DELETE_REFUSED, deleteRefused.kind());
        assertEquals("volume " + v + " is AVAILABLE; only a released volume can be deleted", deleteRefused.reason());
        assertTrue(Files.isDirectory(SHARED_ROOT.resolve(v)), "data kept");

        send(ReleaseVolume.of(v, "scaled down", null));
        send(DeleteVolume.of(v, "wipe", null));
        List<VolumeEvent> end = events.awaitCount(v, 12);
        assertEquals(List.of(Kind.RELEASED, Kind.DELETED), kinds(end.subList(10, 12)));
        assertEquals(VolumeState.DELETED, end.get(11).volume().state());
        await().atMost(WAIT).until(() -> !Files.exists(SHARED_ROOT.resolve(v)));

        // Every event carried the whole volume, its version never going back
        long version = -1;
        for (VolumeEvent event : end) {
            VolumeSnapshot s = event.volume();
            assertEquals(v, s.volumeId());
            assertEquals(app, s.appId());
            assertEquals("db-0", s.identity());
            assertEquals("sharedfs", s.provider());
            assertEquals(64, s.sizeMib());
            assertNotNull(s.state());
            assertNotNull(s.updatedAt());
            assertTrue(s.version() >= version, "versions in order: " + end);
            version = s.version();
        }
        given().get("/v1/volumes/" + v + "/history").then().statusCode(200)
                .body("kind", equalTo(List.of("CREATED", "ATTACHING", "ATTACHED", "ATTACHED", "ATTACH_REFUSED",
                        "FENCED", "ATTACHING", "ATTACHED", "DETACHED", "DETACHED", "DELETE_REFUSED", "RELEASED",
                        "DELETED")))
                .body("[9].fromState", equalTo("DETACHING")).body("[9].toState", equalTo("AVAILABLE"));
    }

    @Test
    void aRedeliveredCommandChangesNothingAndAnnouncesNothing() throws Exception {
        String v = volumeId();
        AttachVolume attach = Commands.external(v, app, "node-1", "t1");

        send(attach);
        events.awaitCount(v, 3);
        send(attach);
        // A later command marks the point by which the redelivery was read
        send(DeleteVolume.of(v, "marker", null));

        List<VolumeEvent> seen = events.awaitEvents(v, e -> kinds(e).contains(Kind.DELETE_REFUSED));
        assertEquals(List.of(Kind.CREATED, Kind.ATTACHING, Kind.ATTACHED, Kind.DELETE_REFUSED), kinds(seen));
        given().get("/v1/volumes/" + v + "/history").then().statusCode(200)
                .body("size()", equalTo(4)).body("[2].commandId", equalTo(attach.id()));
        assertEquals(1, count("select count(*) from processed_command where command_id = '" + attach.id() + "'"));
        assertEquals(3, count("select count(*) from volume_history where command_id = '" + attach.id() + "'"));
    }

    @Test
    void aPoisonedMessageIsDeadLetteredAndTheNextCommandIsCarriedOut() {
        String v = volumeId();

        kafka.send(Topics.VOLUME_COMMANDS.name(), v, "{\"type\": \"MeltVolume\"".getBytes(StandardCharsets.UTF_8));
        send(Commands.external(v, app, "node-1", "t1"));

        var letter = kafka.await(Topics.DEAD_LETTER.name(), r -> v.equals(r.key()), WAIT);
        assertEquals(Topics.VOLUME_COMMANDS.name(), KafkaProbe.header(letter, DeadLetters.SOURCE_TOPIC));
        assertEquals("volume-service", KafkaProbe.header(letter, DeadLetters.CONSUMER));
        assertNotNull(KafkaProbe.header(letter, DeadLetters.REASON));
        events.awaitEvents(v, e -> kinds(e).contains(Kind.ATTACHED));
    }

    @Test
    void aFailoverIsTimedFromTheFenceToTheAttachmentElsewhere() throws Exception {
        // Given the counts so far (other tests attach and fence too)
        double failovers = sample("berth_volume_failover_seconds_count");
        double attached = sample("berth_volume_attach_seconds_count", "result", "attached");
        double fences = sample("berth_volume_fence_seconds_count");
        String v = volumeId();

        // When a volume attached to node-1 is fenced (node-1 lost) and attached to node-2
        send(Commands.external(v, app, "node-1", "t1"));
        events.awaitEvents(v, e -> kinds(e).contains(Kind.ATTACHED));
        send(FenceVolume.of(v, "node-1", "node node-1 lost", null));
        events.awaitEvents(v, e -> kinds(e).contains(Kind.FENCED));
        send(Commands.external(v, app, "node-2", "t2"));
        events.awaitEvents(v, e -> kinds(e).stream().filter(k -> k == Kind.ATTACHED).count() == 2);

        // Then a scrape without a token shows two attaches, one fence and one failover more
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(attached + 2, sample("berth_volume_attach_seconds_count", "result", "attached"));
            assertEquals(fences + 1, sample("berth_volume_fence_seconds_count"));
            assertEquals(failovers + 1, sample("berth_volume_failover_seconds_count"));
        });
    }

    @Test
    void aDeadLetteredCommandIsCountedByItsSourceTopic() throws Exception {
        double before = sample("berth_dead_letters_total", "topic", Topics.VOLUME_COMMANDS.name());
        String v = volumeId();

        kafka.send(Topics.VOLUME_COMMANDS.name(), v, "not a command".getBytes(StandardCharsets.UTF_8));

        await().atMost(WAIT).until(() -> sample("berth_dead_letters_total", "topic", Topics.VOLUME_COMMANDS.name())
                >= before + 1);
    }

    /** One sample of {@code /q/metrics} as a Prometheus scraper reads it, without a token; 0 when absent. */
    private static double sample(String name, String... labels) throws Exception {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + RestAssured.port
                        + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        double value = PrometheusText.value(answer.body(), name, labels);
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void aLocalVolumeStaysBoundToItsNode() {
        String v = volumeId();

        send(Commands.local(v, app, "node-1", "t1"));
        VolumeEvent attached = events.awaitCount(v, 3).get(2);
        assertEquals("node-1", attached.volume().nodeId());
        assertFalse(Files.exists(SHARED_ROOT.resolve(v)), "local volumes are the agent's");

        send(DetachVolume.of(v, "node-1", "t1", null));
        send(Commands.local(v, app, "node-2", "t2"));
        VolumeEvent refused = events.awaitCount(v, 5).get(4);
        assertEquals(Kind.ATTACH_REFUSED, refused.kind());
        assertEquals("local volume " + v + " lives on node node-1; it cannot be attached on node node-2",
                refused.reason());
        assertEquals(VolumeState.AVAILABLE, refused.volume().state());
        assertNull(refused.volume().attachedNodeId());
    }

    @Test
    void theOutboxIsRelayedInCommitOrderAndEmptied() throws Exception {
        List<String> volumes = List.of(volumeId(), volumeId(), volumeId());

        // Given bursts of commands for several volumes, interleaved
        for (int round = 1; round <= 3; round++) {
            for (String v : volumes) {
                send(Commands.external(v, app, "node-1", "t" + round));
                send(DetachVolume.of(v, "node-1", "t" + round, null));
            }
        }

        // Then each volume's events arrive in the order its changes were made, each epoch above the last
        for (String v : volumes) {
            List<VolumeEvent> seen = events.awaitCount(v, 1 + 3 * 3);
            assertEquals(List.of(Kind.CREATED, Kind.ATTACHING, Kind.ATTACHED, Kind.DETACHED, Kind.ATTACHING,
                    Kind.ATTACHED, Kind.DETACHED, Kind.ATTACHING, Kind.ATTACHED, Kind.DETACHED), kinds(seen));
            assertEquals(List.of(0L, 1L, 1L, 1L, 2L, 2L, 2L, 3L, 3L, 3L),
                    seen.stream().map(e -> e.volume().fencingEpoch()).toList());
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i).volume().version() > seen.get(i - 1).volume().version(), "in order: " + seen);
            }
        }
        await().atMost(WAIT).until(() -> count("select count(*) from volume_outbox where volume_id in ('"
                + String.join("','", volumes) + "')") == 0);
    }

    private void send(VolumeCommand command) {
        kafka.send(Topics.VOLUME_COMMANDS.name(), command.volumeId(), JsonCodec.encodeBytes(command));
    }

    private static String volumeId() {
        return "pgdata-" + UUID.randomUUID();
    }

    private static void assertHolder(VolumeSnapshot s, VolumeState state, String node, String task, long epoch) {
        assertEquals(state, s.state());
        assertEquals(node, s.attachedNodeId());
        assertEquals(task, s.attachedTaskId());
        assertEquals(epoch, s.fencingEpoch());
    }

    static long count(String sql) throws Exception {
        var pg = SharedInfra.postgres();
        try (var connection = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             var rs = connection.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
