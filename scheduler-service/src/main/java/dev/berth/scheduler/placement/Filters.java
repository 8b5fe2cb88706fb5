package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PortDefinition;

import java.util.List;

/** The placement filters of the walking skeleton, in the order they run (cheapest first). */
public final class Filters {
    private Filters() {
    }

    /** A node that stopped heartbeating gets no new tasks. */
    public static final NodeFilter REACHABLE = new NodeFilter() {
        public String name() {
            return "reachable";
        }

        public String reject(TaskRequest task, NodeCandidate node) {
            return node.reachable() ? null : "node unreachable";
        }
    };

    /** cpus, then mem, then disk: each shortage is its own reason so operators see which one binds. */
    public static final NodeFilter RESOURCES = new NodeFilter() {
        public String name() {
            return "resources";
        }

        public String reject(TaskRequest task, NodeCandidate node) {
            var wanted = task.resources();
            var free = node.free();
            if (wanted.cpus() > free.cpus() + 1e-9) {
                return "insufficient cpus";
            }
            if (wanted.mem() > free.mem() + 1e-9) {
                return "insufficient mem";
            }
            if (wanted.disk() > free.disk() + 1e-9) {
                return "insufficient disk";
            }
            return null;
        }
    };

    /** Fixed host ports must be in the node's range and free; dynamic ones need enough free ports. */
    public static final NodeFilter PORTS = new NodeFilter() {
        public String name() {
            return "ports";
        }

        public String reject(TaskRequest task, NodeCandidate node) {
            int dynamic = 0;
            for (PortDefinition port : task.ports()) {
                if (port.port() == 0) {
                    dynamic++;
                } else if (!node.portRange().contains(port.port()) || node.usedPorts().contains(port.port())) {
                    return "host port " + port.port() + " unavailable";
                }
            }
            int rangeSize = node.portRange().end() - node.portRange().begin() + 1;
            long usedInRange = node.usedPorts().stream().filter(node.portRange()::contains).count();
            return rangeSize - usedInRange - (task.ports().size() - dynamic) >= dynamic ? null : "insufficient ports";
        }
    };

    public static List<NodeFilter> defaults() {
        return List.of(REACHABLE, RESOURCES, PORTS);
    }
}
