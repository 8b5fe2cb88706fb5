package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Checks the names of an app definition's top-level fields. It tells apart an unknown field (a typo)
 * from a Marathon field Berth does not run yet, so the operator learns which of the two to fix, and
 * lets the latter through with a value that changes nothing, so exported definitions still load.
 */
public final class TopLevelFieldNames {

    private static final Set<String> SUPPORTED = Set.of("id", "cmd", "args", "instances", "cpus", "mem", "disk",
            "env", "labels", "portDefinitions", "requirePorts", "container", "acceptedResourceRoles",
            "constraints", "affinity", "placementStrategy", "backoffSeconds", "backoffFactor",
            "maxLaunchDelaySeconds", "taskKillGracePeriodSeconds", "killSelection", "healthChecks", "user",
            "isolation", "networks", "unreachableStrategy", "upgradeStrategy",
            // Nomad-style spellings the issue uses; folded into upgradeStrategy.
            "autoRollback", "progressDeadlineSeconds",
            // Marathon returns these on GET; an exported definition posted back must still be accepted.
            "version", "versionInfo");

    /**
     * Marathon fields Berth does not run yet. Each is accepted only with a value that changes nothing
     * (absent, null, empty, or Marathon's own default), so exported definitions still load.
     */
    private static final Map<String, Set<String>> NOT_YET_SUPPORTED = Map.ofEntries(
            Map.entry("readinessChecks", Set.of("[]")),
            Map.entry("dependencies", Set.of("[]")),
            Map.entry("executor", Set.of("\"\"", "\"//cmd\"")),
            Map.entry("fetch", Set.of("[]")),
            Map.entry("uris", Set.of("[]")),
            Map.entry("storeUrls", Set.of("[]")),
            Map.entry("gpus", Set.of("0")),
            Map.entry("ipAddress", Set.of()),
            Map.entry("residency", Set.of()),
            Map.entry("secrets", Set.of("{}")),
            Map.entry("tty", Set.of("false")),
            Map.entry("role", Set.of("\"*\"")),
            Map.entry("resourceLimits", Set.of("{}")),
            Map.entry("ports", Set.of()));

    private final FieldReader fields;

    public TopLevelFieldNames(FieldReader fields) {
        this.fields = fields;
    }

    public void check(JsonNode tree) {
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (SUPPORTED.contains(name)) {
                continue;
            }
            Set<String> harmless = NOT_YET_SUPPORTED.get(name);
            if (harmless == null) {
                fields.error(name, "unknown field '" + name + "'");
            } else if (!isHarmless(field.getValue(), harmless)) {
                fields.error(name, "'" + name + "' is a Marathon field Berth does not support yet; remove it"
                        + (name.equals("ports") ? " and use portDefinitions" : ""));
            }
        }
    }

    private static boolean isHarmless(JsonNode value, Set<String> harmlessValues) {
        if (value.isNull() || (value.isContainerNode() && value.isEmpty())) {
            return true;
        }
        return harmlessValues.contains(value.toString());
    }
}
