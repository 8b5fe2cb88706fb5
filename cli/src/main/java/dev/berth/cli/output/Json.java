package dev.berth.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one Jackson mapper of the command line, and JSON as {@code -o json} prints it (indented). */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    public static String pretty(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A field's text, or "-" when it is absent or null: what a table cell shows for nothing. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() || value.asText().isEmpty() ? "-" : value.asText();
    }

    /** An array field's items joined by commas ("31000,31001"), or "-" when it has none. */
    public static String list(JsonNode node, String field) {
        java.util.List<String> items = new java.util.ArrayList<>();
        node.path(field).forEach(item -> items.add(item.isValueNode() ? item.asText() : item.toString()));
        return items.isEmpty() ? "-" : String.join(",", items);
    }
}
