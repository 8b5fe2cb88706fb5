package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.Isolation;

import java.util.Set;

/**
 * Reads Marathon's {@code networks}: one network, {@code host}, {@code container/bridge} or
 * {@code container} without a name (no network but loopback). It comes first among the sections,
 * because the network decides how an app declares its ports.
 */
public final class NetworksReader {
    private static final Set<String> FIELDS = Set.of("mode", "name", "labels");

    private final FieldReader fields;

    public NetworksReader(FieldReader fields) {
        this.fields = fields;
    }

    /** The network asked for; null when the definition does not say (absent, null, []) or says it wrongly. */
    public Isolation.Network read(JsonNode node) {
        if (node == null || node.isNull() || (node.isArray() && node.isEmpty())) {
            return null;
        }
        if (!node.isArray()) {
            fields.error("networks", "networks must be an array such as [{\"mode\": \"container/bridge\"}]");
            return null;
        }
        if (node.size() > 1) {
            fields.error("networks", "a task joins one network here: give one of host, container/bridge or "
                    + "container (no name), not " + node.size());
            return null;
        }
        String path = "networks[0]";
        JsonNode item = node.get(0);
        if (!item.isObject()) {
            fields.error(path, "must be an object such as {\"mode\": \"container/bridge\"}");
            return null;
        }
        int before = fields.errorCount();
        fields.at(path).unknownFields(item, FIELDS);
        JsonNode modeNode = item.get("mode");
        // Marathon's default mode is container.
        String mode = modeNode == null || modeNode.isNull() ? "container" : modeNode.asText();
        JsonNode nameNode = item.get("name");
        boolean named = nameNode != null && !nameNode.isNull();
        JsonNode labels = item.get("labels");
        if (labels != null && !labels.isNull() && !(labels.isObject() && labels.isEmpty())) {
            fields.error(path + ".labels", "network labels are for CNI plugins, which Berth does not run; remove them");
        }
        Isolation.Network network = null;
        if (modeNode != null && !modeNode.isNull() && !modeNode.isTextual()) {
            fields.error(path + ".mode", "mode must be host, container/bridge or container");
        } else if (mode.equals("host") || mode.equals("container/bridge")) {
            network = mode.equals("host") ? Isolation.Network.HOST : Isolation.Network.BRIDGE;
            if (named) {
                fields.error(path + ".name", "only a container network has a name; remove it");
            }
        } else if (mode.equals("container")) {
            network = Isolation.Network.NONE;
            if (named) {
                fields.error(path + ".name", "named container networks (CNI) are not offered here: '"
                        + nameNode.asText() + "'; use container/bridge for a bridged network with port "
                        + "mappings, or container without a name for no network but loopback");
            }
        } else {
            fields.error(path + ".mode", "unknown network mode '" + mode
                    + "': use host, container/bridge or container");
        }
        return fields.errorCount() == before ? network : null;
    }
}
