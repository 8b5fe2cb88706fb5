package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.messages.NodeResources;

/**
 * The task's {@link PlacementStrategy}. Both read the node's utilisation after the task would be
 * placed: the mean of its cpu and mem utilisation (the resources tasks compete for; disk is usually
 * plentiful and would dilute the signal), in [0, 1]. BINPACK scores it as is, so the fullest node
 * that fits wins and whole nodes stay free for large tasks; SPREAD scores 1 minus it, so the
 * emptiest wins and load evens out.
 */
final class StrategyScorer implements NodeScorer {
    static final StrategyScorer INSTANCE = new StrategyScorer();

    private StrategyScorer() {
    }

    @Override
    public String name() {
        return "strategy";
    }

    @Override
    public double score(TaskContext task, NodeView node) {
        double utilisation = utilisationAfter(task.request().resources(), node);
        return task.strategy() == PlacementStrategy.SPREAD ? 1 - utilisation : utilisation;
    }

    static double utilisationAfter(NodeResources wanted, NodeView node) {
        NodeResources capacity = node.info().capacity();
        double sum = 0;
        int dimensions = 0;
        if (capacity.cpus() > 0) {
            sum += ratio(capacity.cpus() - node.freeCpus() + wanted.cpus(), capacity.cpus());
            dimensions++;
        }
        if (capacity.mem() > 0) {
            sum += ratio(capacity.mem() - node.freeMem() + wanted.mem(), capacity.mem());
            dimensions++;
        }
        return dimensions == 0 ? 1 : sum / dimensions;
    }

    private static double ratio(double used, double capacity) {
        return Math.max(0, Math.min(1, used / capacity));
    }
}
