package dev.berth.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Stops a task's whole process tree: SIGTERM to everything, then SIGKILL to whatever is left after
 * the grace period, so nothing of the task survives, not even a grandchild that ignores SIGTERM.
 *
 * <p>Two nets, because each misses something. A task is started as the leader of its own process
 * group, and the group is signalled: that reaches children the leader no longer knows of (orphans
 * re-parented to init once their parent died). The leader's descendants are also signalled one by
 * one: that reaches those that left the group (setsid, daemonizing). Descendants are listed
 * <em>before</em> any signal, since they stop being the leader's descendants the moment it dies.
 */
public final class ProcessTree {
    private static final Duration POLL = Duration.ofMillis(50);
    /** SIGKILL cannot be ignored; this only bounds the wait for the kernel to tear processes down. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(30);

    private ProcessTree() {
    }

    /** Everything that belongs to the task now: the leader and all its descendants. */
    public static Set<ProcessHandle> members(ProcessHandle leader) {
        Set<ProcessHandle> members = new LinkedHashSet<>();
        members.add(leader);
        leader.descendants().forEach(members::add);
        return members;
    }

    /**
     * Terminates the tree and returns once none of its processes runs.
     *
     * @param groupId the task's process group (its leader's pid), or 0 if it has none of its own
     * @return false if something still ran after SIGKILL (it can only be stuck in the kernel)
     */
    public static boolean terminate(ProcessHandle leader, long groupId, Duration gracePeriod) {
        Set<ProcessHandle> members = members(leader);
        signalGroup(groupId, "TERM");
        members.forEach(ProcessHandle::destroy);
        if (awaitGone(members, gracePeriod)) {
            return true;
        }
        // Whatever ignored SIGTERM may have started more processes during the grace period.
        Set<ProcessHandle> left = new LinkedHashSet<>();
        for (ProcessHandle member : members) {
            if (isRunning(member)) {
                left.addAll(members(member));
            }
        }
        signalGroup(groupId, "KILL");
        left.forEach(ProcessHandle::destroyForcibly);
        return awaitGone(left, AFTER_KILL);
    }

    /**
     * SIGKILL, no grace, for a process and everything it started (a timed-out check command): its
     * descendants, listed before any signal, and its process group if it leads one of its own (which
     * also reaches what it forked after the listing). A group it does not lead is never signalled:
     * that would be the agent's.
     */
    public static void killNow(ProcessHandle root) {
        Set<ProcessHandle> members = members(root);
        boolean ownGroup = leadsOwnGroup(root);
        members.forEach(ProcessHandle::destroyForcibly);
        if (ownGroup) {
            signalGroup(root.pid(), "KILL");
        }
    }

    /**
     * The pid of a process's first child, 0 if it has none: from {@code /proc/<pid>/task/<pid>/children},
     * which the kernel keeps per process, where the JDK's {@code children()} reads every process on
     * the host to find them.
     */
    public static long firstChild(long pid) {
        try {
            String children = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid),
                    "children")).trim();
            if (!children.isEmpty()) {
                return Long.parseLong(children.split(" ")[0]);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            // An older kernel without that file: the slow way.
            return ProcessHandle.of(pid).flatMap(p -> p.children().findFirst()).map(ProcessHandle::pid).orElse(0L);
        }
    }

    /**
     * A child of {@code pid} in another mount namespace than its own (the task in its own root, below its
     * init), or 0 if it has none.
     */
    public static long childInOtherMountNamespace(long pid) {
        try {
            String own = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "mnt")).toString();
            String children = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid),
                    "children")).trim();
            for (String child : children.isEmpty() ? new String[0] : children.split(" ")) {
                try {
                    String theirs = Files.readSymbolicLink(Path.of("/proc", child, "ns", "mnt")).toString();
                    if (!theirs.equals(own)) {
                        return Long.parseLong(child);
                    }
                } catch (IOException e) {
                    // that child ended meanwhile (a watchdog's sleep): look at the next
                }
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** True if the process's group id is its own pid ({@code /proc/<pid>/stat}, field 5). */
    static boolean leadsOwnGroup(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields.length > 2 && Long.parseLong(fields[2]) == process.pid();
        } catch (IOException | RuntimeException e) {
            return false; // gone already, or no /proc: the per-process kills are all we can do
        }
    }

    /** SIGKILL for whatever is left in a task's group after its leader ended on its own. */
    public static void killGroup(long groupId) {
        signalGroup(groupId, "KILL");
    }

    /**
     * Alive and not a zombie. A killed orphan stays a zombie until init reaps it, and in a container
     * whose init does not reap, that is forever: it runs nothing, so it does not count.
     */
    public static boolean isRunning(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // pid (comm) state ...: comm may hold spaces and parentheses, so read after the last ')'.
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return process.isAlive(); // no /proc (or it just went away): trust the JDK
        }
    }

    private static boolean awaitGone(Set<ProcessHandle> members, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (members.stream().anyMatch(ProcessTree::isRunning)) {
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

    /**
     * Java cannot signal a process group, so {@code kill(1)} does. A group already gone is fine:
     * kill then fails, and that is the outcome we wanted.
     */
    private static void signalGroup(long groupId, String signal) {
        if (groupId <= 1) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + groupId)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            // No kill(1) on this host: the per-process signals still reach the members we know of.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
