package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeResources;

/**
 * The node's free cpus, mem and disk cover the task's. Three comparisons; each shortage is its own
 * reason (cpus, then mem, then disk) so operators see which resource binds. The small epsilon
 * absorbs float sums, as {@link NodeResources#fits} does.
 */
final class ResourcesFilter implements NodeFilter {
    static final ResourcesFilter INSTANCE = new ResourcesFilter();

    static final String CPUS = "insufficient cpus";
    static final String MEM = "insufficient mem";
    static final String DISK = "insufficient disk";
    private static final double EPSILON = 1e-9;

    private ResourcesFilter() {
    }

    @Override
    public String name() {
        return "resources";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        NodeResources wanted = task.request().resources();
        if (wanted.cpus() > node.freeCpus() + EPSILON) {
            return CPUS;
        }
        if (wanted.mem() > node.freeMem() + EPSILON) {
            return MEM;
        }
        if (wanted.disk() > node.freeDisk() + EPSILON) {
            return DISK;
        }
        return null;
    }
}
