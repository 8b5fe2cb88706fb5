package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.PortAssignment;

import java.util.List;
import java.util.Map;

/** Where a task goes, or why it goes nowhere. Written by {@link PlacementEngine}, read by the scheduler core. */
public sealed interface PlacementResult {
    /**
     * The task's node, the address its agent reports, and its host ports in the order of the
     * request's port definitions. The engine has already allocated it on the cluster.
     */
    record Placed(String nodeId, String host, List<PortAssignment> ports) implements PlacementResult {
        public Placed {
            ports = List.copyOf(ports);
        }
    }

    /**
     * Why no node took the task: each reason (the first filter a node failed) with how many nodes gave
     * it, most frequent first, e.g. {@code {"insufficient mem": 3, "constraint hostname UNIQUE": 2}}.
     * With no node registered at all: {@code {"no nodes registered": 0}}.
     */
    record Unplaced(Map<String, Integer> reasons) implements PlacementResult {
    }
}
