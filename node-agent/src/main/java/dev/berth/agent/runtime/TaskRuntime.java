package dev.berth.agent.runtime;

import dev.berth.contracts.messages.TaskSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Starts and stops task processes on this node. The walking skeleton has one implementation,
 * {@link ProcessRuntime}; namespaced and cgroup-limited runtimes come behind the same interface.
 */
public interface TaskRuntime {

    /**
     * Starts the task in its sandbox (created if needed), stdout and stderr going to files there.
     *
     * @throws LaunchFailedException when the process cannot be started; the message says why
     */
    RunningProcess start(String taskId, String appId, TaskSpec spec, Path sandbox) throws LaunchFailedException;

    /** A started task process. */
    interface RunningProcess {
        long pid();

        /** Completes with the exit code once the task's main process has ended. */
        CompletableFuture<Integer> exit();

        /** SIGTERM to the whole tree, SIGKILL after {@code gracePeriod}; returns when nothing is left. */
        void stop(Duration gracePeriod);

        /** Kills what the main process left behind after it ended on its own. */
        void reapLeftovers();
    }

    /** A task that could not be started at all (bad program, sandbox not writable, …). */
    class LaunchFailedException extends Exception {
        public LaunchFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
