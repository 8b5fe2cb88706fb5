package dev.berth.scheduler.placement;

import java.util.HashMap;
import java.util.Map;

/**
 * One app's footprint on the cluster: how many instances it has, on which nodes, and (built on
 * first use per field, then kept incrementally) how many per value of each field its constraints
 * or scorers look at.
 */
final class AppFootprint {
    final String appId;
    /** Allocations of the app, on any node, known or not. */
    int instances;
    /** Bumped on every allocation or release of the app; lets the engine tell a stale memo. */
    int version;
    /** Nodes holding at least one instance (their per-app count is in {@link NodeState#instancesOf}). */
    final Map<String, NodeState> nodes = new HashMap<>();
    private final Map<String, ValueCounts> byField = new HashMap<>();

    AppFootprint(String appId) {
        this.appId = appId;
    }

    /** Instances per value of {@code field}, over known nodes; built lazily, then incremental. */
    ValueCounts counts(String field) {
        ValueCounts counts = byField.get(field);
        if (counts == null) {
            counts = new ValueCounts();
            for (NodeState node : nodes.values()) {
                String value = node.field(field);
                if (value != null) {
                    counts.add(value, node.instancesOf(appId));
                }
            }
            byField.put(field, counts);
        }
        return counts;
    }

    /** One more (+1) or one fewer (-1) instance on {@code node}. */
    void moved(NodeState node, int delta) {
        instances += delta;
        version++;
        if (node.info == null) {
            return;
        }
        for (Map.Entry<String, ValueCounts> e : byField.entrySet()) {
            String value = node.field(e.getKey());
            if (value != null) {
                e.getValue().add(value, delta);
            }
        }
    }

    /**
     * A node this app runs on changed its hostname, isolation or attributes, or appeared, or went:
     * recount lazily.
     */
    void forgetCounts() {
        byField.clear();
        version++;
    }
}
