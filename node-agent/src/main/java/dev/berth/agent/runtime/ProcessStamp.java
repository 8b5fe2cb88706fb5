package dev.berth.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as the agent remembers it across its own restarts: pid and start time. Pids are reused,
 * so a live process with the pid is the task's only if it also started at the same moment. The
 * start time is the kernel's own, in clock ticks since boot ({@code /proc/<pid>/stat}, field 22):
 * exact, and one small read, where the JDK's {@code ProcessHandle.Info} reads several files.
 *
 * @param startTicks 0 when unknown (then the pid alone identifies the process)
 */
public record ProcessStamp(long pid, long startTicks) {

    /** The stamp of a process that runs now; its start time 0 if it is already gone. */
    public static ProcessStamp of(long pid) {
        return new ProcessStamp(pid, startTicks(pid).orElse(0L));
    }

    /** The live process this stamp is of, if it still runs (a zombie runs nothing and does not count). */
    public Optional<ProcessHandle> find() {
        if (pid <= 0) {
            return Optional.empty();
        }
        Optional<Long> started = startTicks(pid);
        if (started.isEmpty() || (startTicks != 0 && started.get() != startTicks)) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessTree::isRunning);
    }

    /** Field 22 of {@code /proc/<pid>/stat}; empty if there is no such process. */
    static Optional<Long> startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so count after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[19]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
