package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Affinity;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.NodeResources;

import java.util.List;

/**
 * One task to place: what it needs from a node (resources, host ports; 0 = any from the node's
 * range), the app's hard rules (constraints) and soft preferences (affinity, strategy; a null
 * strategy means the engine's cluster-wide default).
 */
public record TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                          List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy) {
    public TaskRequest {
        ports = List.copyOf(ports);
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        affinity = affinity == null ? List.of() : List.copyOf(affinity);
    }
}
