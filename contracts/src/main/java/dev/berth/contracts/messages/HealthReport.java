package dev.berth.contracts.messages;

/**
 * The health-check side of a {@link TaskStatus} of state HEALTHY or UNHEALTHY. Agents report
 * transitions, not every probe: the first failure, the failure that reaches
 * {@code maxConsecutiveFailures} (after which the scheduler replaces the task) and the first pass
 * after failures.
 *
 * @param checkIndex             which of the app's health checks this is about
 * @param consecutiveFailures    failures in a row so far (0 when healthy)
 * @param maxConsecutiveFailures the check's limit; 0 means the task is never killed for failing
 * @param lastResult             what the last probe saw: {@code HTTP 500}, {@code connection refused}, …
 */
public record HealthReport(int checkIndex, int consecutiveFailures, int maxConsecutiveFailures, String lastResult) {

    /** True once the scheduler should kill and replace the task. */
    public boolean exhausted() {
        return maxConsecutiveFailures > 0 && consecutiveFailures >= maxConsecutiveFailures;
    }
}
