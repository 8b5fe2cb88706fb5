package dev.berth.contracts.messages;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Map;

/**
 * What a node agent says about its node, on the compacted {@code berth.node-status} keyed by node
 * id: a registration when the agent starts, then heartbeats. Both carry the whole picture (capacity,
 * attributes, running tasks), so the latest one alone is enough to rebuild a view. Read by the
 * scheduler (placement, failure detection) and the gateway (node list).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = NodeRegistered.class, name = "NodeRegistered"),
        @JsonSubTypes.Type(value = NodeHeartbeat.class, name = "NodeHeartbeat")
})
public sealed interface NodeReport extends Message permits NodeRegistered, NodeHeartbeat {
    String nodeId();

    String hostname();

    /** The address other machines reach the node's tasks on. */
    String host();

    NodeResources capacity();

    PortRange ports();

    Map<String, String> attributes();

    /** "cgroups-v1", "cgroups-v2" or "best-effort": how strictly the node isolates tasks. */
    String isolation();

    /** Where the agent's own HTTP endpoint listens (logs, sandboxes), e.g. http://host:port. */
    String agentUrl();

    /** Ids of the tasks the agent runs now. */
    List<String> runningTaskIds();

    /** What each running task uses, by task id (empty when the agent measured nothing yet). */
    Map<String, TaskUsage> usage();

    /** The volume drivers the node serves and the lease its external-volume tasks run under. */
    NodeVolumes volumes();

    /** Whether tasks get their own root file system there, and which users they may run as. */
    NodeConfinement confinement();

    /** The images in the node's cache, most recently used first (empty where it runs none). */
    List<NodeImage> images();
}
