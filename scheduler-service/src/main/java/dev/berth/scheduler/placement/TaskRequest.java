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
 * @param containerPorts  on a bridge network, for each of {@code ports} the port inside the task it is
 *                        forwarded to (0: the same number as the host port it gets); empty on the host network
 * @param bridged         the task is on a bridge network: only nodes that bridge tasks can take it
 */
public record TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                          List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy,
                          Set<String> volumeProviders, String pinnedNodeId, List<Integer> containerPorts,
                          boolean bridged) {
    public TaskRequest {
        ports = List.copyOf(ports);
        containerPorts = containerPorts == null ? List.of() : List.copyOf(containerPorts);
        if (!containerPorts.isEmpty() && containerPorts.size() != ports.size()) {
            throw new IllegalArgumentException("one container port per host port: " + containerPorts + " for "
                    + ports.size() + " ports");
        }
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        affinity = affinity == null ? List.of() : List.copyOf(affinity);
        volumeProviders = volumeProviders == null ? Set.of() : Set.copyOf(volumeProviders);
    }

    /** A task on the host network. */
    public TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                       List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy,
                       Set<String> volumeProviders, String pinnedNodeId) {
        this(taskId, appId, resources, ports, constraints, affinity, strategy, volumeProviders, pinnedNodeId,
                List.of(), false);
    }

    /** A task without volumes. */
    public TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                       List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy) {
        this(taskId, appId, resources, ports, constraints, affinity, strategy, Set.of(), null);
    }
}
