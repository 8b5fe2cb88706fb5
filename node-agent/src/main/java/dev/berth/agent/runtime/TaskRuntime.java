package dev.berth.agent.runtime;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.contracts.messages.TaskSpec;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Starts and stops task processes on this node. It knows processes, not commands or Kafka: the
 * supervisor decides what runs, a runtime makes it so. {@link ProcessRuntime} runs tasks as Linux
 * processes, fenced off with cgroups and namespaces as far as the host allows.
 *
 * <p>Every method may block (process start, waiting out a grace period): callers run them on
 * worker threads, never on an event loop or the thread that reads commands.
 */
public interface TaskRuntime {

    /** The isolation this runtime gives, as reported in the node's registration ({@code cgroups-v1}, …). */
    String isolation();

    /**
     * Starts the task in its sandbox (created if needed) as its working directory, stdout and
     * stderr appended to files there.
     *
     * @throws LaunchFailedException when the task cannot be started at all; the message says why
     */
    RunningProcess start(String taskId, String appId, TaskSpec spec, Sandbox sandbox) throws LaunchFailedException;

    /**
     * Whatever a task needs on the node before it can start and may take long: the pull of its image.
     * Called before {@link #start}; {@code progress} hears how far it got (the task reports it while
     * STARTING). Nothing for a task that runs a command on the node's own files.
     *
     * @throws LaunchFailedException when the task cannot start, its reason saying why
     */
    default void prepare(TaskSpec spec, java.util.function.Consumer<String> progress) throws LaunchFailedException {
    }

    /**
     * Takes over a task an earlier agent process started. The returned process's {@link
     * RunningProcess#exit()} is already complete if the task ended while no agent watched it.
     */
    RunningProcess adopt(TaskSpec spec, Sandbox sandbox, ProcessStamp stamp);

    /**
     * Kills what runs in task groups that none of {@code known} accounts for (by cgroup name) and
     * removes them; returns their names. A runtime without cgroups has nothing to find.
     */
    default List<String> reapOrphans(Set<String> known) {
        return List.of();
    }

    /** A started task. */
    interface RunningProcess {
        /** The pid of the process the agent started for the task (the first of its tree). */
        default long pid() {
            return stamp().pid();
        }

        /** Its pid and start time: enough to find it again, and to tell it from a later process with its pid. */
        ProcessStamp stamp();

        /** Completes with the task's exit code once it has ended; with null when nobody could learn it. */
        CompletableFuture<Integer> exit();

        /**
         * SIGTERM to every process of the task, SIGKILL to what is left after {@code gracePeriod};
         * returns when nothing of the task runs any more. Also while the task is still starting: its
         * first process belongs to it before it has joined the task's cgroup.
         *
         * @return false if something of the task still ran even after SIGKILL (stuck in the kernel)
         */
        boolean stop(Duration gracePeriod);

        /**
         * Kills what the main process left behind after it ended on its own, and releases its cgroup.
         *
         * @return false if something of the task still ran even after SIGKILL (stuck in the kernel)
         */
        boolean reapLeftovers();

        /** True if the kernel killed a process of the task for exceeding its memory limit. */
        default boolean oomKilled() {
            return false;
        }

        /** Cpu seconds used so far by all the task's processes (0 where the node cannot tell). */
        default double cpuSeconds() {
            return 0;
        }

        /** Memory the task holds now (0 where the node cannot tell). */
        default long memoryBytes() {
            return 0;
        }

        /**
         * Why the task ended, when its init said so (read once it has ended): {@code FENCED: …} when its
         * watchdog stopped it, {@code VOLUME_FAILED: …} when a volume could not be mounted; empty otherwise.
         */
        default java.util.Optional<String> endReason() {
            return java.util.Optional.empty();
        }

        /** The command line that runs {@code shellCommand} next to the task: its namespaces, cgroups and user. */
        default List<String> commandNextTo(String shellCommand) {
            return List.of("/bin/sh", "-c", shellCommand);
        }
    }

    /** A task that could not be started at all (no command, program not found, sandbox not writable, …). */
    class LaunchFailedException extends Exception {
        public LaunchFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
