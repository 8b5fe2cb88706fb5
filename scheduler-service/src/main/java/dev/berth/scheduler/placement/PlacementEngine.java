package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PlacementStrategy;

import java.util.List;

/**
 * Places a batch of tasks on a {@link Cluster}: for each, the filters keep the nodes that may take
 * it, the scorers rank them, the best wins and is allocated at once. A task no node takes gets the
 * count of every rejection reason instead.
 */
public final class PlacementEngine {
    private final PlacementStrategy clusterDefault;

    public PlacementEngine(PlacementStrategy clusterDefault) {
        this.clusterDefault = clusterDefault;
    }

    /** Places the batch in order; each result is at the index of its request. */
    public List<PlacementResult> place(List<TaskRequest> batch, Cluster cluster) {
        throw new UnsupportedOperationException("placement engine under construction");
    }
}
