package dev.berth.gateway.nodes;

import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeImage;
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
 *
 * @param confinement how the node's agent keeps each task in its own world, as it reports it:
 *                    {@code filesystem} ({@code own-root} or {@code host}), {@code defaultUser} (who tasks
 *                    of apps naming no user run as) and {@code allowedUsers} (who an app may name there);
 *                    an agent that reports nothing shows {@code host}, no default user and no allowed users
 * @param images      the images in the node's cache, most recently used first: reference, manifest digest,
 *                    size and last use (docs/images.md)
 */
public record NodeJson(String id, String hostname, String host, NodeResources capacity, NodeResources allocated,
                       PortRange ports, Map<String, String> attributes, String isolation,
                       NodeConfinement confinement, String agentUrl, List<String> runningTaskIds,
                       NodeUsageJson usage, Instant lastSeen, boolean reachable, NodeMode mode,
                       List<NodeImage> images) {

    /** The same node in another mode: the answer to a drain or undrain, before the view has caught up. */
    public NodeJson withMode(NodeMode newMode) {
        return new NodeJson(id, hostname, host, capacity, allocated, ports, attributes, isolation, confinement,
                agentUrl, runningTaskIds, usage, lastSeen, reachable, newMode, images);
    }
}
