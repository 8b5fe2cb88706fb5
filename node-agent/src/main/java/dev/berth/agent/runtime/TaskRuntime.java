package dev.berth.agent.runtime;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.contracts.messages.TaskSpec;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Starts and stops task processes on this node. It knows processes, not commands or Kafka: the
 * supervisor decides what runs, a runtime makes it so. The walking skeleton has one implementation,
 * {@link ProcessRuntime} (plain processes, "best effort" isolation); runtimes with namespaces and
 * cgroup limits, or containers, come behind this same interface.
 *
 * <p>Every method may block (process start, waiting out a grace period): callers run them on
 * worker threads, never on an event loop or the thread that reads commands.
 */
public interface TaskRuntime {

    /** The isolation this runtime gives, as reported in the node's registration ({@code best-effort}, …). */
    String isolation();

    /**
     * Starts the task in its sandbox (created if needed) as its working directory, stdout and
     * stderr appended to files there.
     *
     * @throws LaunchFailedException when the task cannot be started at all; the message says why
     */
    RunningProcess start(String taskId, String appId, TaskSpec spec, Sandbox sandbox) throws LaunchFailedException;

    /** A started task. */
    interface RunningProcess {
        /** The pid of the task's main process. */
        long pid();

        /** Completes with the main process's exit code once it has ended. */
        CompletableFuture<Integer> exit();

        /**
         * SIGTERM to the whole tree, SIGKILL to what is left after {@code gracePeriod}; returns
         * when nothing of the task runs any more.
         *
         * @return false if something of the task still ran even after SIGKILL (stuck in the kernel)
         */
        boolean stop(Duration gracePeriod);

        /** Kills what the main process left behind after it ended on its own. */
        void reapLeftovers();
    }

    /** A task that could not be started at all (no command, program not found, sandbox not writable, …). */
    class LaunchFailedException extends Exception {
        public LaunchFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
