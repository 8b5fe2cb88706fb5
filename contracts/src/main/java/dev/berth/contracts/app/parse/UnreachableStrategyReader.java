package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.UnreachableStrategy;

/**
 * Reads {@code unreachableStrategy}: what becomes of an instance whose node is lost. Berth keeps only
 * {@code replaceAfterSeconds}; Marathon's other fields are accepted (exported definitions still load)
 * and mean nothing, since Berth declares a silent node's tasks lost after its own node timeout.
 */
public final class UnreachableStrategyReader {
    static final int MAX_REPLACE_AFTER_SECONDS = 365 * 24 * 3600;

    private final FieldReader fields;

    public UnreachableStrategyReader(FieldReader fields) {
        this.fields = fields;
    }

    public UnreachableStrategy read(JsonNode node) {
        if (node == null || node.isNull()) {
            return UnreachableStrategy.KEEP_WAITING;
        }
        if (node.isTextual() && node.asText().equals("disabled")) {
            return UnreachableStrategy.KEEP_WAITING;
        }
        if (!node.isObject()) {
            fields.error("unreachableStrategy", "unreachableStrategy must be \"disabled\" or an object such as "
                    + "{\"replaceAfterSeconds\": 300}");
            return UnreachableStrategy.KEEP_WAITING;
        }
        Integer replaceAfter = null;
        for (var it = node.fields(); it.hasNext(); ) {
            var field = it.next();
            String path = "unreachableStrategy." + field.getKey();
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "replaceAfterSeconds" -> {
                    if (value.isNull()) {
                        replaceAfter = null;
                    } else if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0
                            || value.asInt() > MAX_REPLACE_AFTER_SECONDS) {
                        fields.error(path, "replaceAfterSeconds must be a whole number from 0 to "
                                + MAX_REPLACE_AFTER_SECONDS);
                    } else {
                        replaceAfter = value.asInt();
                    }
                }
                // Marathon's fields: Berth declares a silent node's tasks lost after its own node timeout.
                case "inactiveAfterSeconds", "expungeAfterSeconds" -> {
                    if (!value.isNumber()) {
                        fields.error(path, field.getKey() + " must be a number");
                    }
                }
                default -> fields.error(path, "unknown field '" + field.getKey() + "'");
            }
        }
        return new UnreachableStrategy(replaceAfter);
    }
}
