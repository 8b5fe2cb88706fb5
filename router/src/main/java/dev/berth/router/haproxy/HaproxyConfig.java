package dev.berth.router.haproxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * HAProxy's whole configuration for a set of routes, each with every one of its server slots written
 * as it is now (address, and {@code disabled} when it serves nothing), so that a reload starts from the
 * servers the Runtime API had set rather than from an empty template. Pure text: no file, no process.
 */
final class HaproxyConfig {
    /** The backend a request matching no route gets; the hyphen keeps it apart from route names. */
    static final String NO_ROUTE = "no-route";
    static final String FRONTEND = "router-in";
    static final String COOKIE = "BERTH_SERVER";
    // Equal and high weights: with consistent hashing a server gets 16 ring points per unit of weight,
    // and a handful of points would spread keys (and the keys that move) very unevenly.
    static final int WEIGHT = 100;

    /** A backend to write: its route and the state of each of its slots. */
    record Backend(HaproxyRoute route, List<SlotState> slots) {
    }

    private HaproxyConfig() {
    }

    /** HAProxy's server name for slot {@code index}: s1, s2 … as {@code server-template s} would name them. */
    static String slotName(int index) {
        return "s" + (index + 1);
    }

    static String render(HaproxySettings settings, int port, List<Backend> backends) {
        Path dir = settings.workDir().toAbsolutePath();
        StringBuilder out = new StringBuilder(4096);
        out.append("# Written by Berth's router (dev.berth.router.haproxy); each change of routes rewrites it whole.\n")
                .append("# Task changes go through the Runtime API; every slot below shows its task as of this writing.\n")
                .append("global\n")
                .append("    maxconn 4096\n")
                .append("    pidfile ").append(ConfigWords.quotedPath(dir.resolve("haproxy.pid").toString())).append('\n')
                // expose-fd listeners: a reload hands the listening sockets to the new worker, so no
                // connection is refused while it starts.
                .append("    stats socket ").append(ConfigWords.quotedPath(dir.resolve("haproxy.sock").toString()))
                .append(" mode 600 level admin expose-fd listeners\n")
                // After a reload the old worker finishes its open requests; a connection that never ends
                // (a stream, a websocket) would keep it alive for ever, reload after reload.
                .append("    hard-stop-after 60s\n")
                .append("\n")
                .append("defaults\n")
                .append("    mode http\n")
                .append("    timeout connect 2s\n")
                .append("    timeout client 30s\n")
                .append("    timeout server 30s\n")
                .append("    timeout http-request 10s\n")
                .append("    option forwardfor\n")
                // A task that died without warning: its idempotent requests go to another (HAProxy
                // replays only those for the L7 reasons), and a session whose task is gone moves on.
                .append("    option redispatch\n")
                .append("    retries 2\n")
                .append("    retry-on conn-failure empty-response response-timeout\n")
                .append("\n")
                .append("frontend ").append(FRONTEND).append('\n')
                .append("    bind ").append(bindAddress(settings.bindAddress(), port)).append('\n');
        List<HaproxyRoute> routes = backends.stream().map(Backend::route).toList();
        for (HaproxyRoute route : routes) {
            acls(route, out);
        }
        for (HaproxyRoute route : inMatchOrder(routes)) {
            out.append("    use_backend ").append(route.name()).append(" if");
            if (route.vhost() != null) {
                out.append(' ').append(route.name()).append("_host");
            }
            if (pathBase(route) != null && !pathBase(route).isEmpty()) {
                out.append(' ').append(route.name()).append("_path");
            }
            if (route.vhost() == null && pathBase(route).isEmpty()) {
                out.append(" TRUE"); // the prefix "/" takes every request no longer prefix took
            }
            out.append('\n');
        }
        out.append("    default_backend ").append(NO_ROUTE).append("\n\n")
                .append("backend ").append(NO_ROUTE).append('\n')
                .append("    http-request return status 404 content-type text/plain string \"no route matches this request\\n\"\n");
        for (Backend backend : backends) {
            out.append('\n');
            backend(settings, backend, out);
        }
        return out.toString();
    }

    /**
     * Which route a request takes when several match, first match wins: routes on a host and a path
     * (the longest path first), then routes on a host alone (a host names an app more precisely than a
     * shared path does), then routes on a path alone, the longest first, so that {@code /team-a/hello}
     * is tried before {@code /team-a}. Names break ties, so the order never depends on the caller's.
     */
    static List<HaproxyRoute> inMatchOrder(List<HaproxyRoute> routes) {
        Comparator<HaproxyRoute> kind = Comparator.comparingInt(r -> r.vhost() != null && r.path() != null ? 0
                : r.vhost() != null ? 1 : 2);
        Comparator<HaproxyRoute> longestPath = Comparator.comparingInt(r -> r.path() == null ? 0 : -pathBase(r).length());
        return routes.stream().sorted(kind.thenComparing(longestPath).thenComparing(HaproxyRoute::name)).toList();
    }

    /** The prefix without its trailing slashes ("" for "/"), or null for a route without a path. */
    static String pathBase(HaproxyRoute route) {
        if (route.path() == null) {
            return null;
        }
        String base = route.path();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base;
    }

    private static void acls(HaproxyRoute route, StringBuilder out) {
        if (route.vhost() != null) {
            // The Host header without its port; -i: host names compare without case.
            out.append("    acl ").append(route.name()).append("_host req.hdr(host),field(1,:) -i -m str -- ")
                    .append(ConfigWords.quoted(route.vhost())).append('\n');
        }
        String base = pathBase(route);
        if (base != null && !base.isEmpty()) {
            // The prefix itself, or the prefix followed by "/": /a/b takes /a/b and /a/b/c, never /a/bc.
            // Two acl lines of one name match when either does.
            out.append("    acl ").append(route.name()).append("_path path -m str -- ").append(ConfigWords.quoted(base)).append('\n');
            out.append("    acl ").append(route.name()).append("_path path_beg -- ").append(ConfigWords.quoted(base + "/")).append('\n');
        }
    }

    private static void backend(HaproxySettings settings, Backend backend, StringBuilder out) {
        HaproxyRoute route = backend.route();
        out.append("backend ").append(route.name()).append('\n');
        switch (route.affinity()) {
            case NONE -> out.append("    balance leastconn\n");
            case SESSION -> out.append("    balance leastconn\n")
                    // dynamic: each server's cookie is a hash of the key and its ip:port, so it follows
                    // runtime address changes and every router with the same key sets the same cookie.
                    .append("    cookie ").append(COOKIE).append(" insert indirect nocache dynamic\n")
                    .append("    dynamic-cookie-key ").append(ConfigWords.quoted(settings.cookieKey())).append('\n');
            case TRANSACTION -> out.append("    balance ").append(ConfigWords.quoted("hdr(" + route.affinityHeader() + ")")).append('\n')
                    .append("    hash-type consistent\n");
            case SERVER -> out.append("    balance ").append(route.affinityHeader() == null ? "source"
                            : ConfigWords.quoted("hdr(" + route.affinityHeader() + ")")).append('\n')
                    .append("    hash-type consistent\n");
        }
        String base = pathBase(route);
        if (route.stripPath() && base != null && !base.isEmpty()) {
            // The acl already matched the prefix, so only its length matters here: no label text ever
            // enters the regex. "/prefix" and "/prefix/" become "/", "/prefix/x" becomes "/x"; the query
            // string is not part of the path and stays.
            out.append("    http-request replace-path ^.{").append(base.length()).append("}/?(.*)$ /\\1\n");
        }
        List<SlotState> slots = backend.slots();
        for (int i = 0; i < slots.size(); i++) {
            SlotState slot = slots.get(i);
            out.append("    server ").append(slotName(i)).append(' ').append(slot.configAddress())
                    .append(" weight ").append(WEIGHT);
            // The configuration has no drain state; a draining slot starts disabled and the Runtime API
            // puts it in drain right after the reload.
            if (slot.mode() != SlotState.Mode.READY) {
                out.append(" disabled");
            }
            out.append('\n');
        }
    }

    private static String bindAddress(String address, int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
}
