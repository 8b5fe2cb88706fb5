package dev.berth.router.haproxy;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the router runs its HAProxy. Fixed for the life of the process: changing one means a new
 * {@link Haproxy}.
 *
 * @param binary          the haproxy executable (Debian installs it to /usr/sbin)
 * @param bindAddress     where the routed traffic arrives
 * @param port            its port: 8000 in production; 0 picks a free one ({@link Haproxy#port()} tells which)
 * @param workDir         the configuration, the sockets, the pid file and haproxy's output
 * @param cookieKey       the dynamic-cookie-key: the same on every router, so that a session cookie set by
 *                        one router is understood by all of them without their talking to each other
 * @param slotsPerBackend server slots a new backend starts with; doubled, with a reload, when a route
 *                        has more tasks than slots
 */
public record HaproxySettings(Path binary, String bindAddress, int port, Path workDir, String cookieKey,
                              int slotsPerBackend) {
    public static final Path DEFAULT_BINARY = Path.of("/usr/sbin/haproxy");
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_SLOTS = 8;

    public HaproxySettings {
        binary = binary == null ? DEFAULT_BINARY : binary;
        bindAddress = bindAddress == null ? "0.0.0.0" : bindAddress;
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(cookieKey, "cookieKey");
        if (cookieKey.isEmpty() || !ConfigWords.isPrintable(cookieKey)) {
            throw new IllegalArgumentException("the cookie key is printable ASCII without spaces");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("not a TCP port: " + port);
        }
        if (slotsPerBackend < 1) {
            throw new IllegalArgumentException("a backend needs at least one server slot");
        }
        // The sockets live in workDir, and a unix socket's path has at most 107 bytes on Linux.
        if (workDir.toAbsolutePath().resolve("master.sock").toString().length() > 107) {
            throw new IllegalArgumentException("workDir's path is too long for a unix socket: " + workDir);
        }
    }

    /** Production's settings: all addresses, port 8000, the default binary and slots. */
    public static HaproxySettings production(Path workDir, String cookieKey) {
        return new HaproxySettings(DEFAULT_BINARY, "0.0.0.0", DEFAULT_PORT, workDir, cookieKey, DEFAULT_SLOTS);
    }
}
