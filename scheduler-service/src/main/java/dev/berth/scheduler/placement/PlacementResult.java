package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.PortAssignment;

import java.util.List;
import java.util.Map;

/** Where a task goes, or why it goes nowhere (reason → number of nodes that gave it). */
public sealed interface PlacementResult {
    record Placed(String nodeId, String host, List<PortAssignment> ports) implements PlacementResult {
    }

    record Unplaced(Map<String, Integer> reasons) implements PlacementResult {
    }
}
