package dev.berth.scheduler.core;

import java.time.Duration;

/**
 * Tunables of the scheduler core.
 *
 * @param nodeTimeout       a node silent for longer is unreachable: it gets no new tasks and its
 *                          tasks are declared lost and replaced
 * @param backoffResetAfter a failing app whose instances have all stayed up this long since its last
 *                          failure starts again from its first backoff delay
 * @param missingTaskGrace  a task its node no longer reports is taken as lost only if it was seen
 *                          running at least this long ago (a heartbeat may predate its start)
 * @param defaultKillGrace  SIGTERM → SIGKILL seconds for tasks no app claims
 * @param leaseMargin       added to a lost node's volume lease before its external volumes are fenced
 *                          and attached elsewhere: covers clock drift and the heartbeat in flight
 * @param endedTasksKept    final records of ended tasks kept per app on its task history (what
 *                          {@code GET /v1/tasks?state=terminal} lists)
 */
public record SchedulerSettings(Duration nodeTimeout, Duration backoffResetAfter, Duration missingTaskGrace,
                                int defaultKillGrace, Duration leaseMargin, int endedTasksKept) {
    public static final Duration DEFAULT_LEASE_MARGIN = Duration.ofSeconds(1);
    public static final int DEFAULT_ENDED_TASKS_KEPT = 20;

    /** Settings with the default number of ended tasks kept. */
    public SchedulerSettings(Duration nodeTimeout, Duration backoffResetAfter, Duration missingTaskGrace,
                             int defaultKillGrace, Duration leaseMargin) {
        this(nodeTimeout, backoffResetAfter, missingTaskGrace, defaultKillGrace, leaseMargin,
                DEFAULT_ENDED_TASKS_KEPT);
    }

    /** Settings with the default lease margin. */
    public SchedulerSettings(Duration nodeTimeout, Duration backoffResetAfter, Duration missingTaskGrace,
                             int defaultKillGrace) {
        this(nodeTimeout, backoffResetAfter, missingTaskGrace, defaultKillGrace, DEFAULT_LEASE_MARGIN);
    }

    public static SchedulerSettings defaults() {
        return new SchedulerSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(5), 3,
                DEFAULT_LEASE_MARGIN);
    }
}
