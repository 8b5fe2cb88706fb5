package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Affinity;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.NodeResources;

import java.util.List;
import java.util.Set;

/**
 * One task to place: what it needs from a node (resources, host ports; 0 = any from the node's
 * range, the volume drivers its volumes need, the user it runs as, a root file system of its own),
 * the app's hard rules (constraints, and the node its local volume lives on) and soft preferences
 * (affinity, strategy; a null strategy means the engine's cluster-wide default).
 *
 * @param volumeProviders the volume drivers a node must serve for this task; empty for a stateless app
 * @param pinnedNodeId    the only node the task may go to (its local volume lives there); null when any
 * @param user            the user the app names, which the node must allow; null: the node's default user,
 *                        which every node allows
 * @param filesystem      REQUIRED: only a node that gives each task its own root file system may take it;
 *                        null is OPTIONAL (any node)
 * @param containerPorts  on a bridge network, for each of {@code ports} the port inside the task it is
 *                        forwarded to (0: the same number as the host port it gets); empty on the host network
 * @param bridged         the task is on a bridge network: only nodes that bridge tasks can take it
 */
public record TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                          List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy,
                          Set<String> volumeProviders, String pinnedNodeId, String user,
                          Isolation.Filesystem filesystem, List<Integer> containerPorts, boolean bridged) {
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
        filesystem = filesystem == null ? Isolation.Filesystem.OPTIONAL : filesystem;
    }

    /** A task on the host network that runs as the node's default user, wherever its file system is. */
    public TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                       List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy,
                       Set<String> volumeProviders, String pinnedNodeId) {
        this(taskId, appId, resources, ports, constraints, affinity, strategy, volumeProviders, pinnedNodeId, null,
                Isolation.Filesystem.OPTIONAL);
    }

    /** A task on the host network. */
    public TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                       List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy,
                       Set<String> volumeProviders, String pinnedNodeId, String user,
                       Isolation.Filesystem filesystem) {
        this(taskId, appId, resources, ports, constraints, affinity, strategy, volumeProviders, pinnedNodeId, user,
                filesystem, List.of(), false);
    }

    /** A task that runs as the node's default user, wherever its file system is. */
    public TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                       List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy,
                       Set<String> volumeProviders, String pinnedNodeId, List<Integer> containerPorts,
                       boolean bridged) {
        this(taskId, appId, resources, ports, constraints, affinity, strategy, volumeProviders, pinnedNodeId, null,
                Isolation.Filesystem.OPTIONAL, containerPorts, bridged);
    }

    /** A task without volumes. */
    public TaskRequest(String taskId, String appId, NodeResources resources, List<PortDefinition> ports,
                       List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy) {
        this(taskId, appId, resources, ports, constraints, affinity, strategy, Set.of(), null, null,
                Isolation.Filesystem.OPTIONAL);
    }

    /** The same task, pinned to {@code nodeId} (null: any node). */
    public TaskRequest pinnedTo(String nodeId) {
        return new TaskRequest(taskId, appId, resources, ports, constraints, affinity, strategy, volumeProviders,
                nodeId, user, filesystem, containerPorts, bridged);
    }

    /** True when only a node that gives each task its own root file system may take it. */
    public boolean needsOwnRoot() {
        return filesystem == Isolation.Filesystem.REQUIRED;
    }
}
