package dev.berth.scheduler.placement;

/**
 * Spreads an app's own instances without any constraint: a node scores minus the share of the
 * app's instances it already runs, in [-1, 0]. The second instance of an app avoids the node of the
 * first at full strength (-1); for an app of fifty evenly spread instances one more on a node
 * costs little (-0.02), so BINPACK can still pack it. This is Nomad's job anti-affinity, with the
 * app's current size standing in for the desired count the engine does not know.
 */
final class AppAntiAffinityScorer implements NodeScorer {
    static final AppAntiAffinityScorer INSTANCE = new AppAntiAffinityScorer();

    private AppAntiAffinityScorer() {
    }

    @Override
    public String name() {
        return "app-anti-affinity";
    }

    @Override
    public double score(TaskContext task, NodeView node) {
        int total = task.appInstances();
        return total == 0 ? 0 : -(double) node.instancesOf(task.request().appId()) / total;
    }
}
