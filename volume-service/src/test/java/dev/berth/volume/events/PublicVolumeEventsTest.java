package dev.berth.volume.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeEvent.Kind;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public announcement of each volume event, without a broker. */
class PublicVolumeEventsTest {

    @Test
    void anAttachmentIsAnnouncedWithTheVolumeItsTeamAndTheVolumeEventsIdAndTime() {
        VolumeEvent attached = event(Kind.ATTACHED, VolumeState.ATTACHED, "node-2", "t2", null);

        CloudEvent announced = PublicVolumeEvents.of(attached).orElseThrow();

        assertEquals(CloudEvent.SPEC_VERSION, announced.specversion());
        assertEquals(EventTypes.VOLUME_ATTACHED, announced.type());
        assertEquals("/berth/volume-service", announced.source());
        assertEquals("volumes/pgdata-0", announced.subject());
        assertEquals("team-a", announced.team());
        assertEquals(CloudEvent.JSON, announced.datacontenttype());
        // Derived, never drawn: a re-publish after a crash carries the same id, so a reader drops it.
        assertEquals(attached.id(), announced.id());
        assertEquals(attached.occurredAt(), announced.time());
        JsonNode data = announced.data();
        assertEquals("pgdata-0", data.get("volumeId").asText());
        assertEquals("/team-a/db", data.get("appId").asText());
        assertEquals("db-0", data.get("identity").asText());
        assertEquals("EXTERNAL", data.get("type").asText());
        assertEquals("sharedfs", data.get("provider").asText());
        assertTrue(data.get("nodeId").isNull(), "an external volume lives on no node: " + data);
        assertEquals("node-2", data.get("attachedNodeId").asText());
        assertEquals("t2", data.get("attachedTaskId").asText());
        assertEquals(3, data.get("fencingEpoch").asLong());
        assertEquals("ATTACHED", data.get("state").asText());
        assertEquals("t2", data.get("taskId").asText());
        assertFalse(data.has("reason"), "no reason to give: " + data);
        assertFalse(data.has("refusedCommand"), "not a refusal: " + data);
    }

    @Test
    void theSameVolumeEventIsAnnouncedTheSameWayTwice() {
        VolumeEvent fenced = event(Kind.FENCED, VolumeState.FENCED, null, null, "node node-2 lost");

        assertEquals(JsonCodec.encode(PublicVolumeEvents.of(fenced).orElseThrow()),
                JsonCodec.encode(PublicVolumeEvents.of(fenced).orElseThrow()));
    }

    @Test
    void theStepsOnTheWayToAnAttachmentAreNotAnnounced() {
        assertEquals(Optional.empty(), PublicVolumeEvents.of(event(Kind.CREATED, VolumeState.AVAILABLE, null, null,
                null)));
        assertEquals(Optional.empty(), PublicVolumeEvents.of(event(Kind.ATTACHING, VolumeState.ATTACHING, "node-2",
                "t2", null)));
    }

    @Test
    void eachAnnouncedKindHasItsType() {
        assertEquals(Optional.of(EventTypes.VOLUME_DETACHED), PublicVolumeEvents.typeOf(Kind.DETACHED));
        assertEquals(Optional.of(EventTypes.VOLUME_FENCED), PublicVolumeEvents.typeOf(Kind.FENCED));
        assertEquals(Optional.of(EventTypes.VOLUME_RELEASED), PublicVolumeEvents.typeOf(Kind.RELEASED));
        assertEquals(Optional.of(EventTypes.VOLUME_DELETED), PublicVolumeEvents.typeOf(Kind.DELETED));
        assertEquals(Optional.of(EventTypes.VOLUME_REFUSED), PublicVolumeEvents.typeOf(Kind.ATTACH_REFUSED));
        assertEquals(Optional.of(EventTypes.VOLUME_REFUSED), PublicVolumeEvents.typeOf(Kind.DELETE_REFUSED));
    }

    @Test
    void aRefusalSaysWhichCommandWasRefusedAndWhy() {
        VolumeEvent refused = event(Kind.ATTACH_REFUSED, VolumeState.ATTACHED, "node-1", "t1",
                "volume pgdata-0 is attached to node node-1");

        JsonNode data = PublicVolumeEvents.of(refused).orElseThrow().data();

        assertEquals("attach", data.get("refusedCommand").asText());
        assertEquals("volume pgdata-0 is attached to node node-1", data.get("reason").asText());
        assertEquals("delete", PublicVolumeEvents.of(event(Kind.DELETE_REFUSED, VolumeState.AVAILABLE, null, null,
                "only a released volume can be deleted")).orElseThrow().data().get("refusedCommand").asText());
    }

    @Test
    void aVolumeOfAnAppAtTheRootHasNoTeam() {
        VolumeSnapshot rootApp = snapshot("/db", VolumeState.RELEASED, null, null);

        CloudEvent announced = PublicVolumeEvents.of(VolumeEvent.of(Kind.RELEASED, rootApp, null, "scaled down",
                null)).orElseThrow();

        assertEquals(null, announced.team());
        assertFalse(JsonCodec.encode(announced).contains("\"team\""), "the attribute is left out");
    }

    private static VolumeEvent event(Kind kind, VolumeState state, String node, String task, String reason) {
        return VolumeEvent.of(kind, snapshot("/team-a/db", state, node, task),
                task, reason, "command-1");
    }

    private static VolumeSnapshot snapshot(String app, VolumeState state, String node, String task) {
        return new VolumeSnapshot("pgdata-0", "pgdata-0", app, "db-0", VolumeType.EXTERNAL, "sharedfs", 512, null,
                state, node, task, 3, 9, Instant.parse("2026-11-25T10:15:30Z"));
    }
}
