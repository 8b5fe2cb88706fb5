package dev.berth.gateway.nodes;

import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.gateway.view.NodeMode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A node as the API shows it: what it offers, what is placed on it, what its tasks actually use,
 * when it was last heard from (and so whether it is {@code reachable}), and the {@code mode} an
 * operator asked for.
 */
public record NodeJson(String id, String hostname, String host, NodeResources capacity, NodeResources allocated,
                       PortRange ports, Map<String, String> attributes, String isolation, String agentUrl,
                       List<String> runningTaskIds, NodeUsageJson usage, Instant lastSeen, boolean reachable,
                       NodeMode mode) {

    /** The same node in another mode: the answer to a drain or undrain, before the view has caught up. */
    public NodeJson withMode(NodeMode newMode) {
        return new NodeJson(id, hostname, host, capacity, allocated, ports, attributes, isolation, agentUrl,
                runningTaskIds, usage, lastSeen, reachable, newMode);
    }
}
