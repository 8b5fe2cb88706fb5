package dev.berth.agent.runtime;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Stops a task's whole process tree: SIGTERM to everything, SIGKILL to what is left after the
 * grace period. A task is started as the leader of its own process group, so the group is
 * signalled; descendants are also signalled one by one, because a child may have left the group
 * (setsid, daemonizing). Both sets are taken before signalling, since children re-parent away
 * from the task once their parent dies.
 */
public final class ProcessTree {
    private static final Duration POLL = Duration.ofMillis(50);

    private ProcessTree() {
    }

    /** Everything that belongs to the task now: the leader and all its descendants. */
    public static Set<ProcessHandle> members(ProcessHandle leader) {
        Set<ProcessHandle> members = new LinkedHashSet<>();
        members.add(leader);
        leader.descendants().forEach(members::add);
        return members;
    }

    /** Terminates the tree and returns once none of its processes is alive (or a minute has passed). */
    public static void terminate(ProcessHandle leader, long groupId, Duration gracePeriod) {
        Set<ProcessHandle> members = members(leader);
        signalGroup(groupId, "TERM");
        members.forEach(ProcessHandle::destroy);
        if (!awaitGone(members, gracePeriod)) {
            members.addAll(members(leader));
            signalGroup(groupId, "KILL");
            members.forEach(ProcessHandle::destroyForcibly);
        }
        awaitGone(members, Duration.ofMinutes(1));
    }

    /** SIGKILL for whatever is left of a group whose leader has already ended. */
    public static void killLeftovers(long groupId) {
        signalGroup(groupId, "KILL");
    }

    private static boolean awaitGone(Set<ProcessHandle> members, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (members.stream().anyMatch(ProcessHandle::isAlive)) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Java cannot signal a process group, so {@code kill(1)} does it; a group already gone is fine. */
    private static void signalGroup(long groupId, String signal) {
        if (groupId <= 1) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + groupId)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // No kill(1) on this host: the per-process signals above still reach the known members.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
