package dev.berth.gateway.nodes;

import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A node as the API shows it: what it offers, what is placed on it, and when it was last heard from. */
public record NodeJson(String id, String hostname, String host, NodeResources capacity, NodeResources allocated,
                       PortRange ports, Map<String, String> attributes, String isolation, String agentUrl,
                       List<String> runningTaskIds, Instant lastSeen) {
}
