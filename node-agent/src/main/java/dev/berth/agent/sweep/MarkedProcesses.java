package dev.berth.agent.sweep;

import dev.berth.agent.runtime.AgentMark;
import dev.berth.agent.runtime.ProcessStamp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the processes on this host that carry an agent's {@link AgentMark} in their environment, by
 * reading {@code /proc/<pid>/environ}: the one place a process's mark can be read from outside it (as
 * root, or as the processes' own user). A process that cleared its environment is not found here; its
 * cgroup still holds it.
 */
public final class MarkedProcesses {
    private static final Path PROC = Path.of("/proc");

    private MarkedProcesses() {
    }

    /**
     * One process with the mark.
     *
     * @param stamp  pid and start time, read before its environment: a kill by this stamp never reaches a later
     *               process that got the pid
     * @param taskId the task the mark names
     */
    public record Marked(ProcessStamp stamp, String taskId) {
    }

    /** Every process now carrying {@code mark}, except the agent's own. */
    public static List<Marked> carrying(AgentMark mark) {
        List<Marked> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, MarkedProcesses::isProcess)) {
            for (Path entry : entries) {
                long pid = Long.parseLong(entry.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                ProcessStamp stamp = ProcessStamp.of(pid);
                if (stamp.startTicks() == 0) {
                    continue; // gone already
                }
                taskIdOf(entry.resolve("environ"), mark).ifPresent(taskId -> found.add(new Marked(stamp, taskId)));
            }
        } catch (IOException e) {
            // No /proc (not Linux): nothing to find this way.
        }
        return found;
    }

    private static boolean isProcess(Path entry) {
        String name = entry.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    /** The task the mark in this environment names; empty if it carries none (or is gone, or not ours to read). */
    private static Optional<String> taskIdOf(Path environ, AgentMark mark) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(environ);
        } catch (IOException e) {
            return Optional.empty();
        }
        // NAME=value entries, each ended by a NUL; ISO-8859-1 maps every byte to one char, so nothing is lost.
        String all = new String(bytes, StandardCharsets.ISO_8859_1);
        int start = 0;
        while (start < all.length()) {
            int end = all.indexOf('\0', start);
            if (end < 0) {
                end = all.length();
            }
            Optional<String> taskId = mark.taskIdIn(all.substring(start, end));
            if (taskId.isPresent()) {
                return taskId;
            }
            start = end + 1;
        }
        return Optional.empty();
    }
}
