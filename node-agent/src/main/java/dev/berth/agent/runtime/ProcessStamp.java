package dev.berth.agent.runtime;

import java.util.Optional;

/**
 * A process as the agent remembers it across its own restarts: pid and start time. Pids are reused,
 * so a live process with the pid is the task's only if it also started at the same time.
 */
public record ProcessStamp(long pid, long startedAtMillis) {
    /** Start times are derived from clock ticks since boot; two readings of one process may differ by a tick. */
    private static final long SAME_START_MILLIS = 1000;

    public static ProcessStamp of(ProcessHandle process) {
        return new ProcessStamp(process.pid(),
                process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L));
    }

    /** The live process this stamp is of, if it still runs (a zombie runs nothing and does not count). */
    public Optional<ProcessHandle> find() {
        return ProcessHandle.of(pid).filter(ProcessTree::isRunning).filter(process -> {
            long started = process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
            return startedAtMillis == 0 || Math.abs(started - startedAtMillis) <= SAME_START_MILLIS;
        });
    }
}
