package dev.berth.agent.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A user a task runs as, as this node knows it. Looked up through {@code getent}, so users from
 * LDAP or other name services count as well as those in {@code /etc/passwd}.
 */
public record TaskUser(String name, int uid, int gid) {

    /**
     * Entries looked up in the last minute: every task needs its user's (the default user's, mostly), and
     * asking getent is a process start, as dear as a small task's own.
     */
    private static final java.util.Map<String, Cached> CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long KEEP_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

    private record Cached(Optional<TaskUser> user, long at) {
    }

    /** The node's entry for {@code name}; empty when the node has no such user. */
    public static Optional<TaskUser> lookup(String name) {
        Cached cached = CACHE.get(name);
        long now = System.nanoTime();
        if (cached != null && now - cached.at() < KEEP_NANOS) {
            return cached.user();
        }
        Optional<TaskUser> found = getent(name);
        CACHE.put(name, new Cached(found, now));
        return found;
    }

    private static Optional<TaskUser> getent(String name) {
        try {
            Process getent = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
            String out = new String(getent.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!getent.waitFor(10, TimeUnit.SECONDS) || getent.exitValue() != 0) {
                return Optional.empty();
            }
            return parse(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** {@code name:x:uid:gid:gecos:home:shell}. */
    static Optional<TaskUser> parse(String passwdLine) {
        String[] fields = passwdLine.split(":", -1);
        if (fields.length < 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TaskUser(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
