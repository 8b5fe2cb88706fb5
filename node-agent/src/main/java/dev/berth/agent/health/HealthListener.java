package dev.berth.agent.health;

import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.TaskState;

/**
 * Told of a task's health transitions, never of every probe: the first pass (HEALTHY), the first
 * counted failure (UNHEALTHY), the failure that reaches a check's {@code maxConsecutiveFailures}
 * (UNHEALTHY again, {@code report.exhausted()} true, reason starting with {@code HEALTH_CHECK_FAILED})
 * and the first pass after failures (HEALTHY again).
 *
 * <p>Called on the monitor's threads, one call at a time per task and in the order the results were
 * seen; it must return quickly (hand the report to a publisher, do not wait for it). A call may race
 * with {@link HealthMonitor#unwatch}: ignore reports for a task that is no longer running.
 */
@FunctionalInterface
public interface HealthListener {
    /**
     * @param state  HEALTHY or UNHEALTHY
     * @param reason a sentence for operators: which check, on which port, what it saw
     * @param report the detail of the check whose result made the transition
     */
    void changed(String taskId, TaskState state, String reason, HealthReport report);
}
