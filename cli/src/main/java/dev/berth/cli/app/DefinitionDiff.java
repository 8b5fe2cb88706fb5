package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What a definition file would change in an app as it is: each field the file sets whose value the
 * app does not have, by its path ({@code upgradeStrategy.canary}). Only fields the file names are
 * compared, recursing into objects, because the app as returned has every default filled in and its
 * runtime fields (tasks, counters) besides; numbers compare by value ({@code 1} is {@code 1.0}).
 */
final class DefinitionDiff {
    /** One difference: the field's path, the app's value (null when it has none) and the file's. */
    record Change(String path, JsonNode current, JsonNode desired) {
        String line() {
            return current == null || current.isMissingNode()
                    ? "+ " + path + ": " + desired
                    : "~ " + path + ": " + current + " -> " + desired;
        }
    }

    private DefinitionDiff() {
    }

    static List<Change> between(JsonNode current, JsonNode desired) {
        List<Change> changes = new ArrayList<>();
        compare("", current, desired, changes);
        return changes;
    }

    private static void compare(String prefix, JsonNode current, JsonNode desired, List<Change> changes) {
        Iterator<Map.Entry<String, JsonNode>> fields = desired.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (prefix.isEmpty() && field.getKey().equals("id")) {
                continue;
            }
            String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            JsonNode had = current.path(field.getKey());
            JsonNode wanted = field.getValue();
            if (wanted.isObject() && had.isObject()) {
                compare(path, had, wanted, changes);
            } else if (!same(had, wanted)) {
                changes.add(new Change(path, had, wanted));
            }
        }
    }

    private static boolean same(JsonNode had, JsonNode wanted) {
        return wanted.equals((a, b) -> a.isNumber() && b.isNumber()
                ? Double.compare(a.asDouble(), b.asDouble())
                : a.equals(b) ? 0 : 1, had);
    }
}
