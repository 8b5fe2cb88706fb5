package dev.berth.scheduler.placement;

/**
 * The app's constraints (hard rules) on hostname, isolation or any attribute, checked after resources
 * and ports because they read per-app counters and, for LIKE/UNLIKE, a regex answer cache. Within it the
 * task's constraints run cheapest first: equality (CLUSTER, IS), then counters (UNIQUE, MAX_PER,
 * GROUP_BY), then regexes (LIKE, UNLIKE). The first one a node breaks is its reason:
 * "constraint hostname UNIQUE".
 */
final class ConstraintFilter implements NodeFilter {
    static final ConstraintFilter INSTANCE = new ConstraintFilter();

    private ConstraintFilter() {
    }

    @Override
    public String name() {
        return "constraints";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        NodeInfo info = node.info();
        for (ConstraintCheck check : task.checks) {
            if (!check.accepts(info.field(check.field()))) {
                return check.reason;
            }
        }
        return null;
    }
}
