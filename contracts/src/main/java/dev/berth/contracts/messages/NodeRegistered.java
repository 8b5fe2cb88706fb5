package dev.berth.contracts.messages;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An agent started (or restarted) on this node. */
public record NodeRegistered(String id, int schemaVersion, Instant occurredAt, String correlationId,
                             String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                             Map<String, String> attributes, String isolation, String agentUrl,
                             List<String> runningTaskIds) implements NodeReport {
    public NodeRegistered {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        runningTaskIds = runningTaskIds == null ? List.of() : List.copyOf(runningTaskIds);
    }
}
