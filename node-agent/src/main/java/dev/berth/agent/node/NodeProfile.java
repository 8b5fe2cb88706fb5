package dev.berth.agent.node;

import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;

import java.util.Map;

/** Who this node is and what it offers: fixed for the life of the agent process. */
public record NodeProfile(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                          Map<String, String> attributes, String agentUrl) {
    public NodeProfile {
        attributes = Map.copyOf(attributes);
    }
}
