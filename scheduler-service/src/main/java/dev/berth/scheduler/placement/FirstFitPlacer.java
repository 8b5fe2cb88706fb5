package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.PortAssignment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The walking skeleton's placement: the first node, in a stable order, that every filter accepts.
 * The real engine (scorers, constraints, indexes) replaces the choice but keeps the filters and
 * the way rejections are counted.
 */
public final class FirstFitPlacer {
    private final List<NodeFilter> filters;

    public FirstFitPlacer(List<NodeFilter> filters) {
        this.filters = List.copyOf(filters);
    }

    public PlacementResult place(TaskRequest task, List<NodeCandidate> nodes) {
        Map<String, Integer> reasons = new TreeMap<>();
        for (NodeCandidate node : nodes) {
            String rejection = firstRejection(task, node);
            if (rejection == null) {
                return new PlacementResult.Placed(node.nodeId(), node.host(), assignPorts(task, node));
            }
            reasons.merge(rejection, 1, Integer::sum);
        }
        if (nodes.isEmpty()) {
            reasons.put("no nodes registered", 0);
        }
        return new PlacementResult.Unplaced(reasons);
    }

    private String firstRejection(TaskRequest task, NodeCandidate node) {
        for (NodeFilter filter : filters) {
            String rejection = filter.reject(task, node);
            if (rejection != null) {
                return rejection;
            }
        }
        return null;
    }

    /** Fixed ports as asked; dynamic ones are the lowest free ports of the node's range. */
    private static List<PortAssignment> assignPorts(TaskRequest task, NodeCandidate node) {
        Set<Integer> taken = new HashSet<>(node.usedPorts());
        task.ports().stream().filter(p -> p.port() != 0).forEach(p -> taken.add(p.port()));
        List<PortAssignment> assigned = new ArrayList<>();
        int next = node.portRange().begin();
        for (PortDefinition port : task.ports()) {
            int hostPort = port.port();
            if (hostPort == 0) {
                while (taken.contains(next)) {
                    next++;
                }
                hostPort = next++;
            }
            assigned.add(new PortAssignment(port.name(), hostPort));
        }
        return assigned;
    }
}
