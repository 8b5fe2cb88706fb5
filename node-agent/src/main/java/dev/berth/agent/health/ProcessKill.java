package dev.berth.agent.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SIGKILL for a timed-out check command and everything it started: a probe gets no grace period,
 * it has already had its timeout.
 *
 * <p>Two nets, as for tasks. The command's descendants are listed <em>before</em> any signal (once a
 * parent dies its children are re-parented and stop being its descendants) and killed one by one.
 * If the command leads its own process group (its launcher used {@code setsid}), the group is
 * killed too: that also reaches what it forked between the listing and the kill. Without a group
 * of its own, such a late child can escape; the group is never signalled then, since it would be
 * the agent's.
 */
final class ProcessKill {
    private ProcessKill() {
    }

    static void tree(ProcessHandle root) {
        List<ProcessHandle> members = new ArrayList<>();
        members.add(root);
        root.descendants().forEach(members::add);
        boolean ownGroup = leadsOwnGroup(root);
        members.forEach(ProcessHandle::destroyForcibly);
        if (ownGroup) {
            killGroup(root.pid());
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

    /** Java cannot signal a process group, so {@code kill(1)} does; a group already gone is fine. */
    private static void killGroup(long groupId) {
        if (groupId <= 1) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + groupId)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            // no kill(1) on this host: the per-process kills have reached the members we knew of
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
