package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;

import java.util.Map;

/**
 * What a node offers, from its agent's latest report: capacity, host port range, attributes and how
 * strictly it isolates tasks.
 *
 * @param isolation "cgroups-v1", "cgroups-v2" or "best-effort", as the agent reports it; a node that
 *                  reports nothing is taken as "best-effort", since it has not said it isolates at all
 */
public record NodeInfo(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                       Map<String, String> attributes, String isolation) {
    /** The constraint field that is the node's hostname. */
    public static final String HOSTNAME = "hostname";
    /** The constraint field that is the node's isolation, as its agent reports it. */
    public static final String ISOLATION = "isolation";
    public static final String BEST_EFFORT = "best-effort";

    public NodeInfo {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        isolation = isolation == null || isolation.isBlank() ? BEST_EFFORT : isolation;
    }

    /** A node that reports no isolation (best-effort). */
    public NodeInfo(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                    Map<String, String> attributes) {
        this(nodeId, hostname, host, capacity, ports, attributes, null);
    }

    /**
     * A constraint's or affinity's field: {@code hostname}, {@code isolation}, or an attribute (null
     * when the node lacks it). The built-in fields come from the agent itself and win over an
     * attribute of the same name: an operator's {@code isolation=cgroups-v2} label on a node that
     * cannot isolate must not send it tasks that rely on isolation.
     */
    public String field(String name) {
        return switch (name) {
            case HOSTNAME -> hostname;
            case ISOLATION -> isolation;
            default -> attributes.get(name);
        };
    }
}
