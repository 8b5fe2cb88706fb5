package dev.berth.agent.health;

import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One task's health, folded from its checks' probe results, with Marathon's rules: each check counts
 * its own consecutive failures; a check's failures are ignored during its grace period after the
 * task's start, until it first passes; the task is HEALTHY once every check has passed at least once
 * and none is failing now. Only transitions come out (see {@link HealthListener}), so a task probed
 * every few seconds for months sends a handful of reports, not millions.
 *
 * <p>Plain state, no threads: {@link HealthMonitor} calls it one result at a time per task.
 */
final class TaskHealth {
    private final List<HealthCheck> checks;
    private final List<String> descriptions;
    private final Instant startedAt;
    private final int[] failures;
    private final boolean[] passedOnce;
    /** Null until the first transition: the task is just RUNNING as far as anyone was told. */
    private TaskState reported;

    TaskHealth(List<HealthCheck> checks, List<String> descriptions, Instant startedAt) {
        this.checks = List.copyOf(checks);
        this.descriptions = List.copyOf(descriptions);
        this.startedAt = startedAt;
        this.failures = new int[checks.size()];
        this.passedOnce = new boolean[checks.size()];
    }

    /** Folds in one probe result of check {@code index}; a transition if this result makes one. */
    Optional<HealthTransition> record(int index, ProbeResult result, Instant at) {
        HealthCheck check = checks.get(index);
        if (result.passed()) {
            failures[index] = 0;
            passedOnce[index] = true;
            if (reported != TaskState.HEALTHY && allPassedAndNoneFailing()) {
                reported = TaskState.HEALTHY;
                return Optional.of(new HealthTransition(TaskState.HEALTHY,
                        descriptions.get(index) + " passed: " + result.detail(),
                        new HealthReport(index, 0, check.maxConsecutiveFailures(), result.detail())));
            }
            return Optional.empty();
        }
        if (!passedOnce[index] && inGracePeriod(check, at)) {
            return Optional.empty(); // still starting up, as far as this check can tell
        }
        failures[index]++;
        HealthReport report = new HealthReport(index, failures[index], check.maxConsecutiveFailures(), result.detail());
        // Exhaustion is reported once per run of failures, when it is reached: the scheduler
        // kills the task then, and later failures would only repeat it.
        boolean justExhausted = report.exhausted() && failures[index] == check.maxConsecutiveFailures();
        if (reported == TaskState.UNHEALTHY && !justExhausted) {
            return Optional.empty();
        }
        reported = TaskState.UNHEALTHY;
        return Optional.of(new HealthTransition(TaskState.UNHEALTHY, failureReason(index, report, justExhausted),
                report));
    }

    private boolean inGracePeriod(HealthCheck check, Instant at) {
        return at.isBefore(startedAt.plus(Duration.ofSeconds(check.gracePeriodSeconds())));
    }

    private boolean allPassedAndNoneFailing() {
        for (int i = 0; i < failures.length; i++) {
            if (!passedOnce[i] || failures[i] > 0) {
                return false;
            }
        }
        return true;
    }

    private String failureReason(int index, HealthReport report, boolean exhausted) {
        String times = report.consecutiveFailures() == 1 ? "" : " " + report.consecutiveFailures() + " times in a row";
        String reason = descriptions.get(index) + " failed" + times + ": " + report.lastResult();
        return exhausted ? TaskStatus.HEALTH_CHECK_FAILED + ": " + reason : reason;
    }
}
