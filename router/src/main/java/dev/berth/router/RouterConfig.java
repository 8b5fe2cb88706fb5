package dev.berth.router;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Optional;

/** Configuration of a router ({@code berth.router.*}, or BERTH_ROUTER_* environment variables). */
@ConfigMapping(prefix = "berth.router")
public interface RouterConfig {
    /** The port requests are routed on (HAProxy's frontend). */
    @WithDefault("8000")
    int port();

    /** The address HAProxy listens on. */
    @WithDefault("0.0.0.0")
    String bindAddress();

    /** The HAProxy program (Debian's package puts it here). */
    @WithDefault("/usr/sbin/haproxy")
    Path haproxy();

    /** Where this router keeps HAProxy's configuration, sockets and log; a directory of its own per router. */
    Optional<Path> workDir();

    /**
     * The key session cookies are derived from: the same on every router, so a session that started on
     * one router stays on its instance through any other. Change it and every session starts again.
     */
    @WithDefault("berth-session")
    String cookieKey();

    /** Server slots each backend starts with; a backend that needs more grows with one reload. */
    @WithDefault("8")
    int slotsPerBackend();

    /**
     * The replication factor of Berth's topics should this router be the first service to start and
     * create them (as the gateway's setting of the same name).
     */
    @WithDefault("1")
    short topicReplicationFactor();
}
