package dev.berth.contracts.messages;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The agent is alive; sent every heartbeat interval with the current picture of the node. */
public record NodeHeartbeat(String id, int schemaVersion, Instant occurredAt, String correlationId,
                            String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                            Map<String, String> attributes, String isolation, String agentUrl,
                            List<String> runningTaskIds) implements NodeReport {
    public NodeHeartbeat {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        runningTaskIds = runningTaskIds == null ? List.of() : List.copyOf(runningTaskIds);
    }
}
