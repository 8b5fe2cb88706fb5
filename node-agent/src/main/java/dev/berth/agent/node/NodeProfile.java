package dev.berth.agent.node;

import dev.berth.contracts.messages.Ids;
import dev.berth.contracts.messages.Message;
import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeImage;
import dev.berth.contracts.messages.NodeRegistered;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskUsage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who this node is and what it offers: fixed for the life of the agent process, and repeated whole
 * in every registration and heartbeat (the node-status topic is compacted: the latest report alone
 * must be enough).
 *
 * @param volumes     the volume providers the node serves and its lease
 * @param confinement whether tasks get their own root, and who they may run as
 */
public record NodeProfile(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                          Map<String, String> attributes, String isolation, String agentUrl, NodeVolumes volumes,
                          NodeConfinement confinement) {
    public NodeProfile {
        attributes = Map.copyOf(attributes);
        volumes = volumes == null ? NodeVolumes.NONE : volumes;
        confinement = confinement == null ? NodeConfinement.NONE : confinement;
    }

    /** A node that says nothing of how it confines tasks. */
    public NodeProfile(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                       Map<String, String> attributes, String isolation, String agentUrl, NodeVolumes volumes) {
        this(nodeId, hostname, host, capacity, ports, attributes, isolation, agentUrl, volumes, NodeConfinement.NONE);
    }

    /** A node that offers no volumes. */
    public NodeProfile(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                       Map<String, String> attributes, String isolation, String agentUrl) {
        this(nodeId, hostname, host, capacity, ports, attributes, isolation, agentUrl, NodeVolumes.NONE);
    }

    public NodeRegistered registration(List<String> runningTaskIds, Map<String, TaskUsage> usage) {
        return registration(runningTaskIds, usage, List.of());
    }

    public NodeRegistered registration(List<String> runningTaskIds, Map<String, TaskUsage> usage,
                                       List<NodeImage> images) {
        return new NodeRegistered(Ids.newId(), Message.SCHEMA_VERSION, Instant.now(), null, nodeId, hostname, host,
                capacity, ports, attributes, isolation, agentUrl, runningTaskIds, usage, volumes, confinement, images);
    }

    public NodeHeartbeat heartbeat(List<String> runningTaskIds, Map<String, TaskUsage> usage) {
        return heartbeat(runningTaskIds, usage, List.of());
    }

    public NodeHeartbeat heartbeat(List<String> runningTaskIds, Map<String, TaskUsage> usage,
                                   List<NodeImage> images) {
        return new NodeHeartbeat(Ids.newId(), Message.SCHEMA_VERSION, Instant.now(), null, nodeId, hostname, host,
                capacity, ports, attributes, isolation, agentUrl, runningTaskIds, usage, volumes, confinement, images);
    }
}
