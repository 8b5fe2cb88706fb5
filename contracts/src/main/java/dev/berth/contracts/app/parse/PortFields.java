package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The name and protocol of one port, read alike for a host port ({@code portDefinitions}) and a
 * bridged one ({@code container.portMappings}), so both spellings accept and refuse the same values.
 */
final class PortFields {
    private static final Pattern PORT_NAME = Pattern.compile("^[a-z0-9-]+$");
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "udp,tcp");

    private final FieldReader fields;

    PortFields(FieldReader fields) {
        this.fields = fields;
    }

    /** The port's name, or null if it has none; {@code names} holds the names seen so far in the list. */
    String name(JsonNode nameNode, String path, Set<String> names) {
        if (nameNode == null || nameNode.isNull()) {
            return null;
        }
        String name = nameNode.asText();
        if (!nameNode.isTextual() || !PORT_NAME.matcher(name).matches()) {
            fields.error(path + ".name", "a port name uses lowercase letters, digits and '-'");
        } else if (!names.add(name)) {
            fields.error(path + ".name", "port name '" + name + "' is used twice");
        }
        return name;
    }

    /** Marathon's protocols; tcp when not given. */
    String protocol(JsonNode protocolNode, String path) {
        if (protocolNode == null || protocolNode.isNull()) {
            return "tcp";
        }
        String protocol = protocolNode.asText();
        if (!protocolNode.isTextual() || !PROTOCOLS.contains(protocol)) {
            fields.error(path + ".protocol", "protocol must be tcp, udp or \"udp,tcp\"");
        }
        return protocol;
    }
}
