package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/** One host port an instance needs (Marathon's portDefinitions item). Port 0 = assign one from the node's range. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PortDefinition(int port, String name, String protocol, Map<String, String> labels) {
    public PortDefinition {
        protocol = protocol == null ? "tcp" : protocol;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
