package dev.berth.scheduler.placement;

/**
 * One reason a node may be unfit for a task. Filters are cheap and pure, and run cheapest first;
 * the first that says no names the reason an operator sees ("insufficient mem"). Reasons must be
 * built ahead of time (in {@link TaskContext}) or be constants: a filter runs for many nodes per
 * placement and must not allocate.
 */
public interface NodeFilter {
    String name();

    /** Null when the node passes; otherwise the reason it does not, as shown to operators. */
    String reject(TaskContext task, NodeView node);
}
