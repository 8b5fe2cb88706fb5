package dev.berth.scheduler.placement;

/**
 * A task whose local volume already lives on a node goes to that node and no other: a local volume
 * cannot follow its task. One string comparison, so it runs right after the mode check; the engine
 * also narrows the candidates of such a task to that one node, so this mostly names the reason the
 * other nodes give when the task cannot be placed.
 */
final class PinnedNodeFilter implements NodeFilter {
    static final PinnedNodeFilter INSTANCE = new PinnedNodeFilter();

    private PinnedNodeFilter() {
    }

    @Override
    public String name() {
        return "pinned-node";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        String pinned = task.request().pinnedNodeId();
        return pinned == null || pinned.equals(node.info().nodeId()) ? null : task.pinnedReason;
    }
}
