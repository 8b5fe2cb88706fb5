package dev.berth.router.haproxy;

import java.util.Objects;

/**
 * One task behind a route, as the router wants HAProxy to treat it. The task id is the key because it
 * outlives a move: while the task lives it keeps its server slot, and with it its session cookie and
 * its place on the consistent-hash ring.
 *
 * @param key      the task id, stable across updates
 * @param host     where the task listens: an IP address or a name resolved when the route is applied
 * @param port     the task's host port for the route's port index
 * @param draining send it no new requests and let open ones finish (the scheduler is about to stop it)
 */
public record HaproxyServer(String key, String host, int port, boolean draining) {
    public HaproxyServer {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("not a TCP port: " + port + " (task " + key + ")");
        }
    }
}
