package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Affinity;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.NodeResources;

import java.util.List;
import java.util.Set;

/**
 * One task to place: what it needs from a node (resources, host ports; 0 = any from the node's
 * range, the volume drivers its volumes need), the app's hard rules (constraints, and the node its
 * local volume lives on) and soft preferences (affinity, strategy; a null strategy means the
 * engine's cluster-wide default).
 *
 * @param volumeProviders the volume drivers a node must serve for this task; empty for a stateless app
 * @param pinnedNodeId    the only node the task may go to (its local volume lives there); null when any
 */
public record TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                          List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy,
                          Set<String> volumeProviders, String pinnedNodeId) {
    public TaskRequest {
        ports = List.copyOf(ports);
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        affinity = affinity == null ? List.of() : List.copyOf(affinity);
        volumeProviders = volumeProviders == null ? Set.of() : Set.copyOf(volumeProviders);
    }

    /** A task without volumes. */
    public TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                       List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy) {
        this(taskId, appId, resources, ports, constraints, affinity, strategy, Set.of(), null);
    }
}
