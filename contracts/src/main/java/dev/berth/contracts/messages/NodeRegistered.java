package dev.berth.contracts.messages;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An agent started (or restarted) on this node. */
public record NodeRegistered(String id, int schemaVersion, Instant occurredAt, String correlationId,
                             String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                             Map<String, String> attributes, String isolation, String agentUrl,
                             List<String> runningTaskIds, Map<String, TaskUsage> usage,
                             NodeVolumes volumes, NodeConfinement confinement,
                             List<NodeImage> images) implements NodeReport {
    public NodeRegistered {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        runningTaskIds = runningTaskIds == null ? List.of() : List.copyOf(runningTaskIds);
        usage = usage == null ? Map.of() : Map.copyOf(usage);
        volumes = volumes == null ? NodeVolumes.NONE : volumes;
        confinement = confinement == null ? NodeConfinement.NONE : confinement;
        images = images == null ? List.of() : List.copyOf(images);
    }

    /** A report from an agent that reports no images. */
    public NodeRegistered(String id, int schemaVersion, Instant occurredAt, String correlationId, String nodeId,
                          String hostname, String host, NodeResources capacity, PortRange ports,
                          Map<String, String> attributes, String isolation, String agentUrl,
                          List<String> runningTaskIds, Map<String, TaskUsage> usage, NodeVolumes volumes,
                          NodeConfinement confinement) {
        this(id, schemaVersion, occurredAt, correlationId, nodeId, hostname, host, capacity, ports, attributes,
                isolation, agentUrl, runningTaskIds, usage, volumes, confinement, List.of());
    }

    /** A report from an agent that says nothing of how it confines tasks. */
    public NodeRegistered(String id, int schemaVersion, Instant occurredAt, String correlationId, String nodeId,
                          String hostname, String host, NodeResources capacity, PortRange ports,
                          Map<String, String> attributes, String isolation, String agentUrl,
                          List<String> runningTaskIds, Map<String, TaskUsage> usage, NodeVolumes volumes) {
        this(id, schemaVersion, occurredAt, correlationId, nodeId, hostname, host, capacity, ports, attributes,
                isolation, agentUrl, runningTaskIds, usage, volumes, NodeConfinement.NONE);
    }

    /** A report without volume support. */
    public NodeRegistered(String id, int schemaVersion, Instant occurredAt, String correlationId, String nodeId,
                          String hostname, String host, NodeResources capacity, PortRange ports,
                          Map<String, String> attributes, String isolation, String agentUrl,
                          List<String> runningTaskIds, Map<String, TaskUsage> usage) {
        this(id, schemaVersion, occurredAt, correlationId, nodeId, hostname, host, capacity, ports, attributes,
                isolation, agentUrl, runningTaskIds, usage, NodeVolumes.NONE);
    }

    /** A report without usage figures. */
    public NodeRegistered(String id, int schemaVersion, Instant occurredAt, String correlationId, String nodeId,
                          String hostname, String host, NodeResources capacity, PortRange ports,
                          Map<String, String> attributes, String isolation, String agentUrl, List<String> runningTaskIds) {
        this(id, schemaVersion, occurredAt, correlationId, nodeId, hostname, host, capacity, ports, attributes,
                isolation, agentUrl, runningTaskIds, Map.of());
    }
}
