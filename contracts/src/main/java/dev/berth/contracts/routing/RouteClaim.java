package dev.berth.contracts.routing;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an app asks of the router for one of its ports, read from its labels ({@link RouteLabels}):
 * requests whose path starts with {@code path}, or whose host is {@code vhost} (or both), go to the
 * port with index {@code portIndex} of the app's healthy tasks.
 *
 * @param stripPath      whether the path prefix is taken off before the request reaches the task
 * @param affinityHeader the header whose value picks the instance (TRANSACTION, and SERVER when the
 *                       key is a header); null for SERVER on the client's address and for the others
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteClaim(int portIndex, String path, String vhost, boolean stripPath, RouteAffinity affinity,
                         String affinityHeader) {
    public RouteClaim {
        affinity = affinity == null ? RouteAffinity.NONE : affinity;
    }

    /** The keys a claim takes: its path and its host, each owned by one app at most. */
    public java.util.List<String> keys() {
        java.util.List<String> keys = new java.util.ArrayList<>(2);
        if (path != null) {
            keys.add("path " + path);
        }
        if (vhost != null) {
            keys.add("host " + vhost);
        }
        return keys;
    }
}
