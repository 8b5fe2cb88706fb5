package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.Affinity;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads Berth's soft placement preferences: {@code [{"field": "zone", "value": "a", "weight": 50}]}.
 * A preference with any bad field is left out, so placement never leans on a half-read rule.
 */
public final class AffinityReader {
    static final int MAX_WEIGHT = 100;
    private static final Set<String> FIELDS = Set.of("field", "value", "weight");

    private final FieldReader fields;

    public AffinityReader(FieldReader fields) {
        this.fields = fields;
    }

    public List<Affinity> read(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            fields.error("affinity", "affinity must be an array such as [{\"field\": \"zone\", \"value\": \"a\", "
                    + "\"weight\": 50}]");
            return List.of();
        }
        List<Affinity> affinity = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "affinity[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                fields.error(path, "must be an object such as {\"field\": \"zone\", \"value\": \"a\", \"weight\": 50}");
                continue;
            }
            int before = fields.errorCount();
            FieldReader preference = fields.at(path);
            preference.unknownFields(item, FIELDS);
            String field = preference.requiredString(item, "field", "the node attribute to prefer by (or hostname)");
            String value = preference.requiredString(item, "value", "the attribute value to prefer or avoid");
            int weight = weight(item.get("weight"), path + ".weight");
            if (fields.errorCount() == before) {
                affinity.add(new Affinity(field, value, weight));
            }
        }
        return affinity;
    }

    /** Required and never 0: a preference of weight 0 would change nothing. */
    private int weight(JsonNode weightNode, String path) {
        if (weightNode == null || weightNode.isNull()) {
            fields.error(path, "weight is required: from -100 (avoid) to 100 (prefer), not 0");
            return 0;
        }
        if (!weightNode.isIntegralNumber() || !weightNode.canConvertToInt()) {
            fields.error(path, "weight must be a whole number from -100 to 100, not 0");
            return 0;
        }
        int weight = weightNode.asInt();
        if (weight == 0 || Math.abs(weight) > MAX_WEIGHT) {
            fields.error(path, "weight must be from -100 (avoid) to 100 (prefer) and not 0 "
                    + "(which would change nothing), was " + weight);
        }
        return weight;
    }
}
