package dev.berth.router.haproxy;

import dev.berth.contracts.routing.RouteAffinity;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One route as HAProxy serves it: one backend named {@code name}, reached by the path prefix, the
 * virtual host or both, balanced by the affinity. The router's Kafka side builds these from the routes
 * the scheduler decided and the tasks that are healthy; this package turns them into HAProxy's
 * configuration and Runtime API commands.
 *
 * @param name           unique, {@code [a-z0-9_]} only: it names the HAProxy backend and its ACLs
 *                       ({@link Haproxy#backendName(String, int)} makes one)
 * @param path           a path prefix, or null for a route on its virtual host alone
 * @param vhost          a host name, compared without its port and case, or null
 * @param stripPath      whether the prefix is taken off before the request reaches the task
 * @param affinity       how a request picks its task
 * @param affinityHeader the header whose value picks the task (TRANSACTION, SERVER), or null
 * @param servers        the tasks behind the route, draining ones included
 */
public record HaproxyRoute(String name, String path, String vhost, boolean stripPath, RouteAffinity affinity,
                           String affinityHeader, List<HaproxyServer> servers) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,200}");
    // An RFC 9110 token: what a header name may be, and nothing that could end HAProxy's hdr(...).
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");

    public HaproxyRoute {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a route name is [a-z0-9_]: '" + name + "'");
        }
        if (path == null && vhost == null) {
            throw new IllegalArgumentException("route " + name + " needs a path or a vhost");
        }
        if (path != null && (!path.startsWith("/") || !ConfigWords.isPrintable(path))) {
            throw new IllegalArgumentException("route " + name + ": not a path prefix: '" + path + "'");
        }
        if (vhost != null && (vhost.isEmpty() || vhost.contains(":") || !ConfigWords.isPrintable(vhost))) {
            throw new IllegalArgumentException("route " + name + ": not a host name: '" + vhost + "'");
        }
        affinity = affinity == null ? RouteAffinity.NONE : affinity;
        if (affinity == RouteAffinity.TRANSACTION && affinityHeader == null) {
            throw new IllegalArgumentException("route " + name + ": transaction affinity needs a header");
        }
        if (affinityHeader != null && !HEADER.matcher(affinityHeader).matches()) {
            throw new IllegalArgumentException("route " + name + ": not a header name: '" + affinityHeader + "'");
        }
        servers = List.copyOf(servers == null ? List.of() : servers);
    }

    /** The route without its tasks: what, when it changes, needs a new configuration and a reload. */
    HaproxyRoute shape() {
        return new HaproxyRoute(name, path, vhost, stripPath, affinity, affinityHeader, List.of());
    }
}
