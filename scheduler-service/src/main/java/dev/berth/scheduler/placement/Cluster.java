package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeResources;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The nodes and what is allocated on them, as placement needs it. Owned and mutated by one thread
 * (the scheduler core); the engine allocates each task it places at once, so the next placement of
 * a batch sees it. Allocations may name a node not (yet) known, as happens while state is rebuilt
 * from Kafka in whatever order the topics deliver.
 */
public final class Cluster {
    private final Map<String, NodeInfo> nodes = new TreeMap<>();
    private final Map<String, NodeMode> modes = new HashMap<>();
    private final Map<String, Allocation> allocations = new HashMap<>();

    /** One task's share of a node. */
    public record Allocation(String taskId, String appId, String nodeId, NodeResources resources,
                             List<Integer> hostPorts) {
        public Allocation {
            hostPorts = List.copyOf(hostPorts);
        }
    }

    /** Adds a node or updates its capacity and attributes; its allocations and mode stay. */
    public void putNode(NodeInfo node) {
        nodes.put(node.nodeId(), node);
        modes.putIfAbsent(node.nodeId(), NodeMode.READY);
    }

    public void removeNode(String nodeId) {
        nodes.remove(nodeId);
    }

    public void setMode(String nodeId, NodeMode mode) {
        modes.put(nodeId, mode);
    }

    public NodeMode mode(String nodeId) {
        return modes.getOrDefault(nodeId, NodeMode.READY);
    }

    public Optional<NodeInfo> node(String nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    public Iterable<NodeInfo> nodes() {
        return nodes.values();
    }

    public int nodeCount() {
        return nodes.size();
    }

    /** Records a task on a node. Allocating the same task again replaces its earlier allocation. */
    public void allocate(Allocation allocation) {
        release(allocation.taskId());
        allocations.put(allocation.taskId(), allocation);
    }

    /** Frees what a task held; a task never allocated is ignored. */
    public void release(String taskId) {
        allocations.remove(taskId);
    }

    public Optional<Allocation> allocation(String taskId) {
        return Optional.ofNullable(allocations.get(taskId));
    }

    /** What the node's tasks hold together. */
    public NodeResources allocated(String nodeId) {
        NodeResources sum = NodeResources.NONE;
        for (Allocation a : allocations.values()) {
            if (a.nodeId().equals(nodeId)) {
                sum = sum.plus(a.resources());
            }
        }
        return sum;
    }
}
