package dev.berth.agent.sandbox;

import dev.berth.agent.host.FileTrees;
import dev.berth.agent.volumes.MountTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long the sandbox of an ended task (its output, what it wrote) stays on the node, Mesos's
 * {@code --gc_delay} for Berth: {@code keepFor} after its end, and never more than {@code keepAtMost}
 * ended tasks, the oldest going first. Until then its logs stay readable through the API; afterwards
 * the agent forgets the task and its sandbox is removed.
 *
 * <p>Removal never leaves the sandbox: symbolic links are removed, not followed, and a sandbox with
 * anything mounted under it (a volume's bind that outlived its task) is left alone and tried again
 * later, so no volume's data is ever deleted with a sandbox.
 */
public record SandboxRetention(Duration keepFor, int keepAtMost) {

    public SandboxRetention {
        if (keepFor.isNegative()) {
            throw new IllegalArgumentException("the sandbox retention must not be negative, was " + keepFor);
        }
        if (keepAtMost < 0) {
            throw new IllegalArgumentException("the number of ended sandboxes kept must not be negative, was "
                    + keepAtMost);
        }
    }

    /**
     * The ended tasks whose sandboxes are due for removal: those ended more than {@code keepFor} before
     * {@code now}, and the oldest beyond {@code keepAtMost}.
     *
     * @param endedAt ended tasks and when they ended, in any order
     */
    public List<String> due(Map<String, Instant> endedAt, Instant now) {
        List<String> due = new ArrayList<>();
        int beyond = Math.max(0, endedAt.size() - keepAtMost);
        // Oldest end first, whatever order they were learnt in (an agent that restarts reads them unsorted).
        List<Map.Entry<String, Instant>> byEnd = endedAt.entrySet().stream()
                .sorted(Map.Entry.comparingByValue()).toList();
        for (Map.Entry<String, Instant> ended : byEnd) {
            if (beyond > 0 || !ended.getValue().plus(keepFor).isAfter(now)) {
                due.add(ended.getKey());
                beyond--;
            }
        }
        return due;
    }

    /**
     * Removes a sandbox directory and everything in it.
     *
     * @return why it was kept, if it was (something is mounted under it); empty once it is gone
     */
    public static Optional<String> remove(Path dir) throws IOException {
        return remove(dir, MountTable.read());
    }

    /** {@link #remove(Path)} with the agent's mount table read already (once for many sandboxes). */
    public static Optional<String> remove(Path dir, List<MountTable.Mount> mounts) throws IOException {
        Path sandbox = dir.toAbsolutePath().normalize();
        if (!Files.exists(sandbox, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        for (MountTable.Mount mount : mounts) {
            if (mount.mountPoint().startsWith(sandbox)) {
                return Optional.of(mount.mountPoint() + " is mounted in it");
            }
        }
        FileTrees.deleteTree(sandbox);
        return Optional.empty();
    }
}
