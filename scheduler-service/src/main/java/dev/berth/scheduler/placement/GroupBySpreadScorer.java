package dev.berth.scheduler.placement;

/**
 * For tasks with GROUP_BY constraints: minus the share of the app's instances already on the node's
 * value, averaged over the GROUP_BY constraints, in [-1, 0]. Marathon's GROUP_BY accepts a value
 * with no instance as readily as the least used one, so without a count an app could stay on the
 * values it started on; this scorer makes the unused values win, and the app spreads over all of
 * them. It never rejects anything: the filter alone decides what is allowed.
 */
final class GroupBySpreadScorer implements NodeScorer {
    static final GroupBySpreadScorer INSTANCE = new GroupBySpreadScorer();

    private GroupBySpreadScorer() {
    }

    @Override
    public String name() {
        return "group-by-spread";
    }

    @Override
    public boolean appliesTo(TaskContext task) {
        return task.groupBys.length > 0;
    }

    @Override
    public double score(TaskContext task, NodeView node) {
        int total = task.appInstances();
        if (total == 0) {
            return 0;
        }
        double sum = 0;
        for (ConstraintCheck.GroupBy groupBy : task.groupBys) {
            String value = node.info().field(groupBy.field());
            sum += value == null ? 0 : groupBy.counts.count(value);
        }
        return -sum / total / task.groupBys.length;
    }
}
