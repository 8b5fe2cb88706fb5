package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;

import java.util.Map;
import java.util.Set;

/**
 * What a node offers, from its agent's latest report: capacity, host port range, attributes, how
 * strictly it isolates tasks, which volume drivers it serves and how it confines tasks (own root file
 * system, the users they may run as).
 *
 * @param isolation       "cgroups-v1", "cgroups-v2" or "best-effort", as the agent reports it; a node that
 *                        reports nothing is taken as "best-effort", since it has not said it isolates at all
 * @param volumeProviders the volume drivers the node can mount into tasks ({@code local}, {@code sharedfs});
 *                        empty where it cannot (no mount namespaces)
 * @param confinement     whether tasks get their own root file system there and which users an app may
 *                        name; {@link NodeConfinement#NONE} for a node that reports nothing (no own root,
 *                        no app that names a user)
 */
public record NodeInfo(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                       Map<String, String> attributes, String isolation, Set<String> volumeProviders,
                       NodeConfinement confinement) {
    /** The constraint field that is the node's hostname. */
    public static final String HOSTNAME = "hostname";
    /** The constraint field that is the node's isolation, as its agent reports it. */
    public static final String ISOLATION = "isolation";
    public static final String BEST_EFFORT = "best-effort";

    public NodeInfo {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        isolation = isolation == null || isolation.isBlank() ? BEST_EFFORT : isolation;
        volumeProviders = volumeProviders == null ? Set.of() : Set.copyOf(volumeProviders);
        confinement = confinement == null ? NodeConfinement.NONE : confinement;
    }

    /** A node that says nothing of how it confines tasks ({@link NodeConfinement#NONE}). */
    public NodeInfo(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                    Map<String, String> attributes, String isolation, Set<String> volumeProviders) {
        this(nodeId, hostname, host, capacity, ports, attributes, isolation, volumeProviders, NodeConfinement.NONE);
    }

    /** A node that serves no volumes. */
    public NodeInfo(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                    Map<String, String> attributes, String isolation) {
        this(nodeId, hostname, host, capacity, ports, attributes, isolation, Set.of(), NodeConfinement.NONE);
    }

    /** A node that reports no isolation (best-effort). */
    public NodeInfo(String nodeId, String hostname, String host, NodeResources capacity, PortRange ports,
                    Map<String, String> attributes) {
        this(nodeId, hostname, host, capacity, ports, attributes, null, Set.of(), NodeConfinement.NONE);
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
