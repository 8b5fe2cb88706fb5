package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.PortMapping;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Marathon's {@code container.portMappings}: only on a bridge network, where absent means one
 * port ({@code containerPort} 0, {@code hostPort} 0), as Marathon's default mapping; {@code []} means
 * none. A mapping with any bad field is left out, so the app's port count stays what was meant.
 */
final class PortMappingsReader {
    private static final Set<String> FIELDS = Set.of("containerPort", "hostPort", "servicePort", "protocol",
            "name", "labels", "networkNames");
    /** Marathon's default on a bridge network without portMappings: one port, the host's number inside too. */
    static final List<PortMapping> DEFAULT_MAPPINGS = List.of(new PortMapping(0, 0, "tcp", null, Map.of()));

    private final FieldReader fields;
    private final PortFields portFields;

    PortMappingsReader(FieldReader fields) {
        this.fields = fields;
        this.portFields = new PortFields(fields);
    }

    List<PortMapping> read(JsonNode node, Isolation.Network network) {
        boolean given = node != null && !node.isNull();
        if (network != Isolation.Network.BRIDGE) {
            if (given && !(node.isArray() && node.isEmpty())) {
                fields.error("container.portMappings", network == Isolation.Network.NONE
                        ? "an app without a network (mode container, or isolation.network NONE) has no ports "
                        + "to map; remove portMappings, or use networks: [{\"mode\": \"container/bridge\"}]"
                        : "port mappings need a bridge network: add networks: [{\"mode\": \"container/bridge\"}],"
                        + " or declare host ports as portDefinitions");
            }
            return List.of();
        }
        if (!given) {
            return DEFAULT_MAPPINGS;
        }
        if (!node.isArray()) {
            fields.error("container.portMappings", "portMappings must be an array such as [{\"containerPort\": "
                    + "8080, \"hostPort\": 0, \"name\": \"http\"}]");
            return List.of();
        }
        List<PortMapping> mappings = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<Integer> fixed = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "container.portMappings[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                fields.error(path, "must be an object such as {\"containerPort\": 8080, \"hostPort\": 0}");
                continue;
            }
            PortMapping mapping = mapping(item, path, names, fixed);
            if (mapping != null) {
                mappings.add(mapping);
            }
        }
        return mappings;
    }

    /** One mapping, or null if any of its fields is bad; {@code names} and {@code fixed} span the list. */
    private PortMapping mapping(JsonNode item, String path, Set<String> names, Set<Integer> fixed) {
        int before = fields.errorCount();
        FieldReader mapping = fields.at(path);
        mapping.unknownFields(item, FIELDS);
        int containerPort = mapping.wholeNumber(item, "containerPort", 0, 0, 65535);
        // Marathon: on a bridge an absent (null) hostPort is 0, any free one.
        int hostPort = mapping.wholeNumber(item, "hostPort", 0, 0, 65535);
        if (hostPort != 0 && !fixed.add(hostPort)) {
            fields.error(path + ".hostPort", "host port " + hostPort + " is requested twice");
        }
        if (mapping.wholeNumber(item, "servicePort", 0, 0, 65535) != 0) {
            fields.error(path + ".servicePort", "Berth has no service ports yet: remove servicePort or set 0");
        }
        JsonNode networkNames = item.get("networkNames");
        if (networkNames != null && !networkNames.isNull() && !(networkNames.isArray() && networkNames.isEmpty())) {
            fields.error(path + ".networkNames", "networkNames choose among named container networks, which "
                    + "Berth does not offer; remove it");
        }
        String name = portFields.name(item.get("name"), path, names);
        String protocol = portFields.protocol(item.get("protocol"), path);
        Map<String, String> labels = fields.at(path).stringMap(item, "labels", false);
        return fields.errorCount() == before ? new PortMapping(containerPort, hostPort, protocol, name, labels) : null;
    }
}
