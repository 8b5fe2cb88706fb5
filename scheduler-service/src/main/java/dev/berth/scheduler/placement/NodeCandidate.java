package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;

import java.util.Set;

/**
 * A node as placement sees it in one snapshot: what is still free on it, which of its ports are
 * taken, and whether it may receive new tasks at all.
 */
public record NodeCandidate(String nodeId, String host, NodeResources free, PortRange portRange,
                            Set<Integer> usedPorts, boolean reachable) {
    public NodeCandidate {
        usedPorts = Set.copyOf(usedPorts);
    }
}
