package dev.berth.gateway.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.json.JsonCodec;

import java.io.IOException;

/**
 * Reads one record of {@code berth.events} as a CloudEvent in structured JSON mode. The JSON sent on is
 * the record's own object, compacted onto one line (an SSE {@code data:} line), so attributes this
 * gateway does not know (another extension) reach the reader unchanged.
 */
final class EventDecoder {
    sealed interface Decoded {
    }

    /** A CloudEvent, and the JSON to send for it. */
    record Valid(CloudEvent event, String json) implements Decoded {
    }

    /** Not a CloudEvent; {@code reason} is for the log. */
    record Malformed(String reason) implements Decoded {
    }

    private EventDecoder() {
    }

    static Decoded decode(byte[] value) {
        if (value == null) {
            return new Malformed("a tombstone (no value)");
        }
        JsonNode tree;
        CloudEvent event;
        String json;
        try {
            tree = JsonCodec.mapper().readTree(value);
            if (tree == null || !tree.isObject()) {
                return new Malformed("not a JSON object");
            }
            event = JsonCodec.mapper().treeToValue(tree, CloudEvent.class);
            json = JsonCodec.mapper().writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            return new Malformed("not a CloudEvent in JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Malformed("not readable: " + e.getMessage());
        }
        // The attributes CloudEvents 1.0 requires; a reader filters and resumes by them.
        String missing = blank(event.specversion()) ? "specversion" : blank(event.id()) ? "id"
                : blank(event.source()) ? "source" : blank(event.type()) ? "type" : null;
        if (missing != null) {
            return new Malformed("a CloudEvent without its required attribute '" + missing + "'");
        }
        return new Valid(event, json);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
