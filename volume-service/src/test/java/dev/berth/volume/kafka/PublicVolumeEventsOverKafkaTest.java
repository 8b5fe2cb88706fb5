package dev.berth.volume.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeEvent.Kind;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PostgresTestResource;
import dev.berth.testkit.SharedInfra;
import dev.berth.volume.support.Commands;
import dev.berth.volume.support.PublicEventLog;
import dev.berth.volume.support.VolumeEventLog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.berth.volume.support.PublicEventLog.events;
import static dev.berth.volume.support.PublicEventLog.types;
import static dev.berth.volume.support.VolumeEventLog.kinds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an outside Kafka client reading berth.events learns of volumes, from the same outbox as berth.volume-events. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
class PublicVolumeEventsOverKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private KafkaProbe kafka;
    private VolumeEventLog volumeEvents;
    private PublicEventLog publicEvents;
    private String team;
    private String app;

    @BeforeEach
    void connect() {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        TopicBootstrap.ensureTopics(bootstrap);
        kafka = new KafkaProbe(bootstrap);
        volumeEvents = new VolumeEventLog(bootstrap);
        publicEvents = new PublicEventLog(bootstrap);
        team = "team-" + UUID.randomUUID();
        app = "/" + team + "/db";
    }

    @AfterEach
    void close() {
        kafka.close();
        volumeEvents.close();
        publicEvents.close();
    }

    @Test
    void anAttachAFenceAndADeleteAreAnnouncedAndTheStepsBeforeTheAttachmentAreNot() {
        String v = volumeId();

        // Given a volume attached, its node fenced, then released and deleted
        send(Commands.external(v, app, "node-1", "t1"));
        send(FenceVolume.of(v, "node-1", "node node-1 lost", null));
        send(ReleaseVolume.of(v, "scaled down", null));
        send(DeleteVolume.of(v, "wipe", null));
        List<VolumeEvent> changes = volumeEvents.awaitEvents(v, e -> kinds(e).contains(Kind.DELETED));

        // Then the public stream has one event per public change, in order, and none for CREATED / ATTACHING
        List<ConsumerRecord<String, byte[]>> records = publicEvents.awaitRecords(subject(v), 4);
        List<CloudEvent> announced = events(records);
        assertEquals(List.of(EventTypes.VOLUME_ATTACHED, EventTypes.VOLUME_FENCED, EventTypes.VOLUME_RELEASED,
                EventTypes.VOLUME_DELETED), types(announced));
        // Each is the volume event it announces, under that event's id
        assertEquals(changes.stream().filter(e -> e.kind() != Kind.CREATED && e.kind() != Kind.ATTACHING)
                .map(VolumeEvent::id).toList(), announced.stream().map(CloudEvent::id).toList());
        for (int i = 0; i < records.size(); i++) {
            CloudEvent event = announced.get(i);
            assertEquals(event.subject(), records.get(i).key(), "keyed by subject");
            assertEquals("1.0", event.specversion());
            assertEquals("/berth/volume-service", event.source());
            assertEquals(team, event.team());
            assertEquals("application/json", event.datacontenttype());
        }

        JsonNode attached = announced.get(0).data();
        assertEquals(v, attached.get("volumeId").asText());
        assertEquals(app, attached.get("appId").asText());
        assertEquals("db-0", attached.get("identity").asText());
        assertEquals("EXTERNAL", attached.get("type").asText());
        assertEquals("sharedfs", attached.get("provider").asText());
        assertEquals("node-1", attached.get("attachedNodeId").asText());
        assertEquals("t1", attached.get("attachedTaskId").asText());
        assertEquals(1, attached.get("fencingEpoch").asLong());
        assertEquals("ATTACHED", attached.get("state").asText());

        JsonNode fenced = announced.get(1).data();
        assertEquals("FENCED", fenced.get("state").asText());
        assertEquals(2, fenced.get("fencingEpoch").asLong());
        assertTrue(fenced.get("attachedNodeId").isNull(), fenced.toString());
        assertEquals("node node-1 lost", fenced.get("reason").asText());

        assertEquals("DELETED", announced.get(3).data().get("state").asText());
    }

    @Test
    void aRefusedAttachIsAnnouncedWithTheRefusedCommandAndItsReason() {
        String v = volumeId();

        // Given node-1 holds the volume; when node-2 asks for it
        send(Commands.external(v, app, "node-1", "t1"));
        send(Commands.external(v, app, "node-2", "t2"));

        // Then the refusal is public, with why, and the volume still with node-1
        CloudEvent refused = events(publicEvents.awaitRecords(subject(v), 2)).get(1);
        assertEquals(EventTypes.VOLUME_REFUSED, refused.type());
        assertEquals("attach", refused.data().get("refusedCommand").asText());
        assertEquals("t2", refused.data().get("taskId").asText());
        assertTrue(refused.data().get("reason").asText().contains("node-1"), refused.data().toString());
        assertEquals("node-1", refused.data().get("attachedNodeId").asText());
        assertEquals("ATTACHED", refused.data().get("state").asText());
    }

    @Test
    void anOutboxRowPublishedAgainAfterACrashIsAnnouncedAgainUnderTheSameId() throws Exception {
        String v = volumeId();
        send(Commands.external(v, app, "node-1", "t1"));
        ConsumerRecord<String, byte[]> attached = kafka.await(Topics.VOLUME_EVENTS.name(),
                r -> v.equals(r.key()) && JsonCodec.decode(r.value(), VolumeEvent.class).kind() == Kind.ATTACHED,
                WAIT);
        List<ConsumerRecord<String, byte[]>> first = publicEvents.awaitRecords(subject(v), 1);

        // When the row is in the outbox again, as after a crash between the broker's ack and the delete
        reinsertIntoOutbox(v, new String(attached.value(), StandardCharsets.UTF_8));

        // Then the repeat is the same event, byte for byte, so a reader drops it by its id
        List<ConsumerRecord<String, byte[]>> both = publicEvents.awaitRecords(subject(v), 2);
        assertEquals(2, both.size(), "announced twice, nothing else: " + events(both));
        assertArrayEquals(first.get(0).value(), both.get(1).value());
        assertEquals(JsonCodec.decode(attached.value(), VolumeEvent.class).id(), events(both).get(1).id());
    }

    private void send(VolumeCommand command) {
        kafka.send(Topics.VOLUME_COMMANDS.name(), command.volumeId(), JsonCodec.encodeBytes(command));
    }

    private static void reinsertIntoOutbox(String volumeId, String event) throws Exception {
        var pg = SharedInfra.postgres();
        try (var connection = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             var insert = connection.prepareStatement(
                     "insert into volume_outbox (volume_id, event_id, event) values (?, ?, ?)")) {
            insert.setString(1, volumeId);
            insert.setString(2, JsonCodec.decode(event, VolumeEvent.class).id());
            insert.setString(3, event);
            insert.executeUpdate();
        }
    }

    private static String subject(String volumeId) {
        return "volumes/" + volumeId;
    }

    private static String volumeId() {
        return "pgdata-" + UUID.randomUUID();
    }
}
