package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.PortAssignment;

import java.util.ArrayList;
import java.util.List;

/**
 * Host ports: each fixed port the task asks for is in the node's range and free ("host port 8080
 * unavailable"), and enough of the rest of the range is free for its dynamic ports ("insufficient
 * ports"). After resources because it touches a bit set per fixed port; before constraints, which
 * may look up counters and regexes.
 */
final class PortsFilter implements NodeFilter {
    static final PortsFilter INSTANCE = new PortsFilter();

    static final String INSUFFICIENT = "insufficient ports";

    private PortsFilter() {
    }

    @Override
    public String name() {
        return "ports";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        int[] fixed = task.fixedPorts;
        for (int i = 0; i < fixed.length; i++) {
            if (!node.portFree(fixed[i])) {
                return task.fixedPortReasons[i];
            }
        }
        // The fixed ports are free and in range by now, so they come out of the free count exactly.
        if (task.dynamicPorts > 0 && node.freePortCount() - fixed.length < task.dynamicPorts) {
            return INSUFFICIENT;
        }
        return null;
    }

    /**
     * The host ports the task gets on a node that passed this filter, in the order of its port
     * definitions: fixed ones as asked, dynamic ones the lowest free in the range (skipping the
     * task's own fixed ports), so assignments are predictable and the range fills from the bottom.
     * A bridged task's ports are its mappings' host sides, chosen the same way, each carrying the
     * container port it is forwarded to (Marathon's containerPort 0: the host port's own number).
     */
    static List<PortAssignment> assign(TaskContext task, NodeState node) {
        List<PortDefinition> definitions = task.request().ports();
        if (definitions.isEmpty()) {
            return List.of();
        }
        List<PortAssignment> assigned = new ArrayList<>(definitions.size());
        List<Integer> containerPorts = task.request().containerPorts();
        int next = 0;
        for (PortDefinition definition : definitions) {
            Integer containerPort = containerPorts.isEmpty() ? null : containerPorts.get(assigned.size());
            if (definition.port() != 0) {
                assigned.add(mapped(definition.name(), definition.port(), containerPort));
                continue;
            }
            int port = node.lowestFreePort(next);
            while (port >= 0 && isFixedPortOf(task, port)) {
                port = node.lowestFreePort(port + 1);
            }
            if (port < 0) {
                throw new IllegalStateException("node " + node.id + " passed the ports filter but ran out of ports");
            }
            assigned.add(mapped(definition.name(), port, containerPort));
            next = port + 1;
        }
        return assigned;
    }

    private static PortAssignment mapped(String name, int hostPort, Integer containerPort) {
        if (containerPort == null) {
            return new PortAssignment(name, hostPort);
        }
        return new PortAssignment(name, hostPort, containerPort == 0 ? hostPort : containerPort);
    }

    private static boolean isFixedPortOf(TaskContext task, int port) {
        for (int fixed : task.fixedPorts) {
            if (fixed == port) {
                return true;
            }
        }
        return false;
    }

    static List<Integer> hostPorts(List<PortAssignment> assigned) {
        List<Integer> ports = new ArrayList<>(assigned.size());
        for (PortAssignment a : assigned) {
            ports.add(a.port());
        }
        return ports;
    }
}
