package dev.berth.contracts.app;

import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.TaskRecord;

import java.util.List;
import java.util.Optional;

/**
 * An app's status in one word, as the gateway shows it ({@code status} of {@code GET /v1/apps}) and the
 * scheduler counts it ({@code berth_apps{status}}). Written here once so that the number Prometheus
 * shows and the word the API shows can never disagree about the same app.
 */
public enum AppStatus {
    /** Its tasks are being stopped before the app goes away. */
    DELETING,
    /** Its tasks keep failing ({@link #CRASH_LOOP_FAILURES} or more in a row). */
    CRASH_LOOPING,
    /** Every instance runs, and nothing else is left of it. */
    RUNNING,
    /** A task failed and its instance waits out the backoff before it is launched again. */
    BACKOFF,
    /** On its way: instances placed but not running yet, waiting for room, or being replaced. */
    DEPLOYING;

    /**
     * Failures in a row from which an app is said to crash-loop: one failure may be bad luck, a second
     * a coincidence, a third is a pattern. The count resets once every instance stayed up
     * ({@code berth.scheduler.backoff-reset-after}).
     */
    public static final int CRASH_LOOP_FAILURES = 3;

    /**
     * The status of an app with {@code instances} wanted and these tasks recorded.
     *
     * @param queued  its queue entry, if anything of it waits
     * @param history what became of its ended tasks, if any ended
     */
    public static AppStatus of(int instances, boolean deleting, List<TaskRecord> tasks, Optional<AppQueue> queued,
                               Optional<AppTaskHistory> history) {
        long running = tasks.stream().filter(t -> t.state().isActive()).count();
        boolean allRunning = running == instances && tasks.size() == running;
        int failuresInARow = history.map(AppTaskHistory::failuresInARow).orElse(0);
        boolean delayed = queued.map(AppQueue::delayedUntil).isPresent();
        // A crash loop is named even while a relaunched task briefly runs: it has not stayed up yet.
        return deleting ? DELETING
                : failuresInARow >= CRASH_LOOP_FAILURES ? CRASH_LOOPING
                : allRunning ? RUNNING
                : delayed ? BACKOFF
                : DEPLOYING;
    }
}
