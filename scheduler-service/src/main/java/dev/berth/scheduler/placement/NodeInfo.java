package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;

import java.util.Map;

/** What a node offers, from its agent's latest report: capacity, host port range and attributes. */
public record NodeInfo(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                       Map<String, String> attributes) {
    public NodeInfo {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** A constraint's or affinity's field: {@code hostname}, or an attribute (null when the node lacks it). */
    public String field(String name) {
        return name.equals("hostname") ? hostname : attributes.get(name);
    }
}
