package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.PortDefinition;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Marathon's {@code portDefinitions}: the host ports of an app on the host network. On a
 * bridge the ports are declared as {@code container.portMappings} instead ({@link PortMappingsReader}).
 */
public final class PortDefinitionsReader {
    private static final Set<String> FIELDS = Set.of("port", "name", "protocol", "labels");

    private final FieldReader fields;
    private final PortFields portFields;

    public PortDefinitionsReader(FieldReader fields) {
        this.fields = fields;
        this.portFields = new PortFields(fields);
    }

    public List<PortDefinition> read(JsonNode node, boolean requirePorts, Isolation.Network network) {
        if (network == Isolation.Network.BRIDGE) {
            // Marathon 1.5 ignores them there and warns that it may refuse them; Berth refuses at once
            // rather than run an app whose ports are not what its author thought.
            if (node != null && !node.isNull() && !(node.isArray() && node.isEmpty())) {
                fields.error("portDefinitions", "portDefinitions are for host networking; on a bridge network "
                        + "declare the ports as container.portMappings, e.g. [{\"containerPort\": 8080, "
                        + "\"hostPort\": 0, \"name\": \"http\"}]");
            }
            return List.of();
        }
        if (node == null || node.isNull()) {
            // Marathon's default: one port, assigned from the node's range.
            return List.of(new PortDefinition(0, null, "tcp", Map.of()));
        }
        if (!node.isArray()) {
            fields.error("portDefinitions",
                    "portDefinitions must be an array such as [{\"port\": 0, \"name\": \"http\"}]");
            return List.of();
        }
        List<PortDefinition> ports = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<Integer> fixed = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "portDefinitions[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                fields.error(path, "must be an object such as {\"port\": 0, \"name\": \"http\"}");
                continue;
            }
            FieldReader port = fields.at(path);
            port.unknownFields(item, FIELDS);
            int number = port.wholeNumber(item, "port", 0, 0, 65535);
            if (number != 0 && !requirePorts) {
                fields.error(path + ".port", "Berth has no service ports yet: use 0 for any free host port, "
                        + "or set requirePorts: true to ask for host port " + number);
            }
            if (number != 0 && !fixed.add(number)) {
                fields.error(path + ".port", "host port " + number + " is requested twice");
            }
            String name = portFields.name(item.get("name"), path, names);
            String protocol = portFields.protocol(item.get("protocol"), path);
            Map<String, String> labels = fields.at(path).stringMap(item, "labels", false);
            ports.add(new PortDefinition(number, name, protocol, labels));
        }
        return ports;
    }
}
