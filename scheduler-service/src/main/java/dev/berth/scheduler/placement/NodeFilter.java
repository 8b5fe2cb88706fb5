package dev.berth.scheduler.placement;

/**
 * One reason a node may be unfit for a task. Filters are cheap, pure and run cheapest first; the
 * first that says no names the reason an operator sees ("insufficient mem").
 */
public interface NodeFilter {
    String name();

    /** Null when the node passes; otherwise the reason it does not, as shown to operators. */
    String reject(TaskRequest task, NodeCandidate node);
}
