package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Affinity;

/**
 * Soft affinity: the sum of the weights of the task's {@link Affinity} entries whose field equals
 * their value on the node, divided by 100 and clamped to [-1, 1]. A preference only: a node that
 * matches nothing, or matches a negative weight, still takes the task when nothing better fits.
 */
final class AffinityScorer implements NodeScorer {
    static final AffinityScorer INSTANCE = new AffinityScorer();

    private AffinityScorer() {
    }

    @Override
    public String name() {
        return "affinity";
    }

    @Override
    public boolean appliesTo(TaskContext task) {
        return !task.request().affinity().isEmpty();
    }

    @Override
    public double score(TaskContext task, NodeView node) {
        int sum = 0;
        for (Affinity affinity : task.request().affinity()) {
            if (affinity.value() != null && affinity.value().equals(node.info().field(affinity.field()))) {
                sum += affinity.weight();
            }
        }
        return Math.max(-1, Math.min(1, sum / 100.0));
    }
}
