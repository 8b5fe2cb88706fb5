package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Isolation;

/**
 * A task on a bridge network goes only to a node whose agent says it bridges tasks (its attribute
 * {@value Isolation#BRIDGE_ATTRIBUTE} is {@code true}): elsewhere the agent would refuse it, and the task
 * would fail and be placed again, over and over. An agent that predates bridging reports no such
 * attribute, and cannot bridge. Right after the node's mode: a boolean, then one map lookup.
 */
final class BridgeFilter implements NodeFilter {
    static final BridgeFilter INSTANCE = new BridgeFilter();

    static final String NO_BRIDGE = "no bridge network";

    private BridgeFilter() {
    }

    @Override
    public String name() {
        return "bridge";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        if (!task.request().bridged()) {
            return null;
        }
        return "true".equals(node.info().attributes().get(Isolation.BRIDGE_ATTRIBUTE)) ? null : NO_BRIDGE;
    }
}
