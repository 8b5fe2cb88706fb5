package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeResources;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The nodes and what is allocated on them, as placement needs it. Owned and mutated by one thread
 * (the scheduler core); the engine allocates each task it places at once, so the next placement of
 * a batch sees it. Allocations may name a node not (yet) known, as happens while state is rebuilt
 * from Kafka in whatever order the topics deliver: they are held, and count once the node appears.
 *
 * <p>Besides the plain maps it keeps the indexes that let a placement avoid walking every node or
 * every task: per node the sums of allocated resources, a bit set of held host ports and instances
 * per app; per app the nodes it runs on and instances per value of each field a constraint looks at;
 * per field asked for, the nodes having each value; and every such node set also by load tier
 * (empty, then eighths of utilisation), so BINPACK can look at the fullest nodes first and SPREAD at
 * the emptiest. All are updated incrementally.
 */
public final class Cluster {
    /** Every node id we know anything about: registered, or named by an allocation or a mode. */
    private final Map<String, NodeState> states = new HashMap<>();
    /** Registered nodes only, by id (the order {@link #nodes()} promises). */
    private final TreeMap<String, NodeInfo> nodes = new TreeMap<>();
    /** Registered nodes, in visiting order and by load tier. */
    private final TieredRing ring = new TieredRing();
    private final Map<String, Allocation> allocations = new HashMap<>();
    private final Map<String, AppFootprint> apps = new HashMap<>();
    /** field → value → registered nodes with that value; a field is indexed the first time it is asked for. */
    private final Map<String, Map<String, TieredRing>> fieldIndex = new HashMap<>();

    /** One task's share of a node. */
    public record Allocation(String taskId, String appId, String nodeId, NodeResources resources,
                             List<Integer> hostPorts) {
        public Allocation {
            hostPorts = List.copyOf(hostPorts);
        }
    }

    /**
     * Adds a node or updates its capacity, port range, attributes and isolation; its allocations and
     * mode stay.
     * Putting the same info again (a heartbeat) costs one equality check.
     *
     * @return whether anything changed (a new node, or new capacity, ports, attributes or isolation)
     */
    public boolean putNode(NodeInfo node) {
        NodeState state = states.computeIfAbsent(node.nodeId(), NodeState::new);
        NodeInfo old = state.info;
        if (node.equals(old)) {
            return false;
        }
        boolean labelsChanged = old == null || !Objects.equals(old.hostname(), node.hostname())
                || !Objects.equals(old.isolation(), node.isolation())
                || !old.attributes().equals(node.attributes());
        if (old != null) {
            detach(state);
        }
        state.info = node;
        nodes.put(node.nodeId(), node);
        if (old == null || !Objects.equals(old.ports(), node.ports())) {
            state.rebuildPorts();
        }
        state.tier = tierOf(state);
        attach(state);
        if (labelsChanged) {
            forgetCountsOfAppsOn(state);
        }
        return true;
    }

    /** Forgets a node's registration. Its allocations (and mode) are kept until released. */
    public void removeNode(String nodeId) {
        NodeState state = states.get(nodeId);
        if (state == null || state.info == null) {
            return;
        }
        detach(state);
        nodes.remove(nodeId);
        state.info = null;
        state.tier = -1;
        state.rebuildPorts();
        forgetCountsOfAppsOn(state);
        dropIfUnused(state);
    }

    /** Sets whether a node takes new tasks; allowed before the node registers. */
    public void setMode(String nodeId, NodeAvailability mode) {
        NodeState state = states.computeIfAbsent(nodeId, NodeState::new);
        state.mode = mode;
        dropIfUnused(state);
    }

    public NodeAvailability mode(String nodeId) {
        NodeState state = states.get(nodeId);
        return state == null ? NodeAvailability.READY : state.mode;
    }

    public Optional<NodeInfo> node(String nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    /** Registered nodes, by id. */
    public Iterable<NodeInfo> nodes() {
        return Collections.unmodifiableCollection(nodes.values());
    }

    public int nodeCount() {
        return nodes.size();
    }

    /** A live view of a registered node's free resources, ports and instances. */
    public Optional<NodeView> view(String nodeId) {
        NodeState state = states.get(nodeId);
        return state == null || state.info == null ? Optional.empty() : Optional.of(state);
    }

    /** Records a task on a node. Allocating the same task again replaces its earlier allocation. */
    public void allocate(Allocation allocation) {
        release(allocation.taskId());
        allocations.put(allocation.taskId(), allocation);
        NodeState state = states.computeIfAbsent(allocation.nodeId(), NodeState::new);
        state.add(allocation);
        retier(state);
        AppFootprint app = apps.computeIfAbsent(allocation.appId(), AppFootprint::new);
        app.nodes.put(state.id, state);
        app.moved(state, +1);
    }

    /** Frees what a task held; a task never allocated is ignored. */
    public void release(String taskId) {
        Allocation allocation = allocations.remove(taskId);
        if (allocation == null) {
            return;
        }
        NodeState state = states.get(allocation.nodeId());
        AppFootprint app = apps.get(allocation.appId());
        // Count the app down before the node forgets the instance: moved() reads the node's field values.
        app.moved(state, -1);
        state.remove(allocation);
        if (state.instancesOf(app.appId) == 0) {
            app.nodes.remove(state.id);
        }
        if (app.instances == 0) {
            apps.remove(app.appId);
        }
        retier(state);
        dropIfUnused(state);
    }

    public Optional<Allocation> allocation(String taskId) {
        return Optional.ofNullable(allocations.get(taskId));
    }

    /** What the node's tasks hold together (also for a node not registered yet). */
    public NodeResources allocated(String nodeId) {
        NodeState state = states.get(nodeId);
        return state == null ? NodeResources.NONE : new NodeResources(state.usedCpus, state.usedMem, state.usedDisk);
    }

    /** The allocations on a node (also for a node not registered yet), in no particular order. */
    public List<Allocation> allocationsOn(String nodeId) {
        NodeState state = states.get(nodeId);
        return state == null ? List.of() : List.copyOf(state.allocations.values());
    }

    /** How many allocations the app has, on any node. */
    public int instancesOf(String appId) {
        AppFootprint app = apps.get(appId);
        return app == null ? 0 : app.instances;
    }

    // ---- for the engine -------------------------------------------------------------------------

    /** Registered nodes, in visiting order and by load tier. */
    TieredRing ring() {
        return ring;
    }

    /** The registered node {@code nodeId} alone, as a ring of one; empty when it is not registered. */
    TieredRing onlyNode(String nodeId) {
        NodeState state = states.get(nodeId);
        if (state == null || state.info == null) {
            return EMPTY_RING;
        }
        TieredRing one = new TieredRing();
        one.add(state);
        return one;
    }

    /** Registered nodes whose {@code field} equals {@code value}; empty when none. */
    TieredRing nodesWith(String field, String value) {
        TieredRing nodes = valuesOf(field).get(value);
        return nodes == null ? EMPTY_RING : nodes;
    }

    /** Every value of {@code field} among registered nodes, with its nodes; indexes the field on first use. */
    Map<String, TieredRing> valuesOf(String field) {
        Map<String, TieredRing> byValue = fieldIndex.get(field);
        if (byValue == null) {
            byValue = new HashMap<>();
            fieldIndex.put(field, byValue);
            for (int i = 0; i < ring.all.size(); i++) {
                NodeState state = ring.all.get(i);
                String v = state.field(field);
                if (v != null) {
                    byValue.computeIfAbsent(v, k -> new TieredRing()).add(state);
                }
            }
        }
        return byValue;
    }

    /** 0 for a node without allocations, else 1 + its load in eighths (load as the strategy scorer sees it). */
    static int tierOf(NodeState state) {
        if (state.isEmpty()) {
            return 0;
        }
        double load = StrategyScorer.utilisationAfter(NodeResources.NONE, state);
        return 1 + Math.min(TieredRing.TIERS - 2, (int) (load * (TieredRing.TIERS - 1)));
    }

    private static final TieredRing EMPTY_RING = new TieredRing();

    /** Enters a registered node (info and tier set) into the ring and every field index. */
    private void attach(NodeState state) {
        ring.add(state);
        for (Map.Entry<String, Map<String, TieredRing>> e : fieldIndex.entrySet()) {
            String v = state.field(e.getKey());
            if (v != null) {
                e.getValue().computeIfAbsent(v, k -> new TieredRing()).add(state);
            }
        }
    }

    /** Takes a node out of the ring and the field indexes, as its current info and tier place it. */
    private void detach(NodeState state) {
        ring.remove(state);
        for (Map.Entry<String, Map<String, TieredRing>> e : fieldIndex.entrySet()) {
            String v = state.field(e.getKey());
            TieredRing nodes = v == null ? null : e.getValue().get(v);
            if (nodes != null) {
                nodes.remove(state);
                if (nodes.size() == 0) {
                    e.getValue().remove(v);
                }
            }
        }
    }

    /** After an allocation or release: moves the node to its new load tier, everywhere it is indexed. */
    private void retier(NodeState state) {
        if (state.info == null) {
            return;
        }
        int tier = tierOf(state);
        if (tier == state.tier) {
            return;
        }
        ring.move(state, state.tier, tier);
        for (Map.Entry<String, Map<String, TieredRing>> e : fieldIndex.entrySet()) {
            String v = state.field(e.getKey());
            TieredRing nodes = v == null ? null : e.getValue().get(v);
            if (nodes != null) {
                nodes.move(state, state.tier, tier);
            }
        }
        state.tier = tier;
    }

    /** The app's state, or null when it has no allocation. */
    AppFootprint app(String appId) {
        return apps.get(appId);
    }

    private void forgetCountsOfAppsOn(NodeState state) {
        List<String> appIds = new ArrayList<>();
        state.apps().forEach(appIds::add);
        for (String appId : appIds) {
            apps.get(appId).forgetCounts();
        }
    }

    /** A node id that is unregistered, READY and holds nothing carries no information. */
    private void dropIfUnused(NodeState state) {
        if (state.info == null && state.mode == NodeAvailability.READY && state.isEmpty()) {
            states.remove(state.id);
        }
    }
}
