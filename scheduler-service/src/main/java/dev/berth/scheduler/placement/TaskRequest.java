package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.NodeResources;

import java.util.List;

/** What one instance needs from a node: resources and host ports (0 = any from the node's range). */
public record TaskRequest(String appId, NodeResources resources, List<PortDefinition> ports) {
    public TaskRequest {
        ports = List.copyOf(ports);
    }
}
