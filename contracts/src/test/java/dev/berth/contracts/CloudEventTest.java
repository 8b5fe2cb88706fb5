package dev.berth.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class CloudEventTest {

    @Test
    void anEventIsStructuredCloudEventsJson() throws Exception {
        CloudEvent event = CloudEvent.of("/berth/scheduler", EventTypes.TASK_STATE, "tasks/web.1", "team-a",
                Instant.parse("2026-11-25T10:00:00Z"), Map.of("state", "RUNNING"));
        JsonNode json = JsonCodec.mapper().readTree(JsonCodec.encode(event));

        assertEquals("1.0", json.path("specversion").asText());
        assertEquals("dev.berth.task.state", json.path("type").asText());
        assertEquals("/berth/scheduler", json.path("source").asText());
        assertEquals("tasks/web.1", json.path("subject").asText());
        assertEquals("2026-11-25T10:00:00Z", json.path("time").asText());
        assertEquals("application/json", json.path("datacontenttype").asText());
        assertEquals("team-a", json.path("team").asText());
        assertEquals("RUNNING", json.path("data").path("state").asText());
        assertFalse(json.path("id").asText().isEmpty());
        assertEquals(event, JsonCodec.decode(JsonCodec.encode(event), CloudEvent.class));
    }

    @Test
    void nodeEventsAndRootAppsHaveNoTeam() {
        assertNull(CloudEvent.teamOf("/web"));
        assertEquals("team-a", CloudEvent.teamOf("/team-a/web"));
        CloudEvent event = CloudEvent.of("/berth/scheduler", EventTypes.NODE_DOWN, "nodes/n1", null, Instant.now(),
                Map.of("node", "n1"));
        assertFalse(JsonCodec.encode(event).contains("\"team\""));
    }
}
