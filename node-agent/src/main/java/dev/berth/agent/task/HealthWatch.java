package dev.berth.agent.task;

import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.contracts.messages.TaskSpec;

import java.time.Instant;

/**
 * Runs a task's health checks while it runs. The agent plugs in its health monitor, which tells the
 * supervisor of verdicts through {@link TaskSupervisor#healthChanged}; a supervisor tested alone
 * has none.
 */
public interface HealthWatch extends AutoCloseable {
    HealthWatch NONE = new HealthWatch() {
        @Override
        public void watch(String taskId, String appId, TaskSpec spec, Sandbox sandbox,
                          TaskRuntime.RunningProcess process, Instant startedAt) {
        }

        @Override
        public void unwatch(String taskId) {
        }

        @Override
        public void close() {
        }
    };

    /** Starts checking a task that runs now (it has checks). */
    void watch(String taskId, String appId, TaskSpec spec, Sandbox sandbox, TaskRuntime.RunningProcess process,
               Instant startedAt);

    /** Stops checking it: it ended or is being stopped. */
    void unwatch(String taskId);

    @Override
    void close();
}
