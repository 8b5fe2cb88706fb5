package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.TaskFailure;
import dev.berth.contracts.messages.TaskRecord;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Every app's {@link AppTaskHistory}: what became of its tasks, kept so that the app itself can say
 * why it does not run (Marathon's {@code lastTaskFailure}, Kubernetes' restart count and last state).
 * A task record is tombstoned as soon as its task ends; its final record lives on here, with the
 * failure it counts as if it ended while it should have run. Restored from {@code berth.task-history}
 * by a scheduler that takes over, so counts go on across a failover.
 */
final class TaskHistories {
    private final Map<String, AppTaskHistory> histories = new HashMap<>();
    private final int endedKept;

    TaskHistories(int endedKept) {
        this.endedKept = endedKept;
    }

    void restore(AppTaskHistory history) {
        histories.put(history.appId(), history);
    }

    void forget(String appId) {
        histories.remove(appId);
    }

    Optional<AppTaskHistory> of(String appId) {
        return Optional.ofNullable(histories.get(appId));
    }

    /**
     * A task ended: {@code last} is its final record. If it should still have run ({@code unwanted} end:
     * desired RUN, its app neither gone nor being deleted) the end is a failure of its instance too.
     */
    AppTaskHistory ended(TaskRecord last, boolean unwanted, String cause, Instant at, Consumer<AppTaskHistory> record) {
        AppTaskHistory history = current(last.appId()).withEnded(last, endedKept, cause, at);
        if (unwanted) {
            history = history.withFailure(TaskFailure.of(last, at), cause, at);
        }
        return put(history, record);
    }

    /**
     * A running task counts as failed before it ended (its health checks failed and it is being
     * replaced); its end, a requested kill, then only joins the ended ones.
     */
    AppTaskHistory failed(TaskFailure failure, String cause, Instant at, Consumer<AppTaskHistory> record) {
        return put(current(failure.appId()).withFailure(failure, cause, at), record);
    }

    /** Apps {@code stable} says stayed up no longer fail in a row. */
    void settle(Predicate<String> stable, Instant at, Consumer<AppTaskHistory> record) {
        for (AppTaskHistory history : List.copyOf(histories.values())) {
            if (history.failuresInARow() > 0 && stable.test(history.appId())) {
                put(history.settled(null, at), record);
            }
        }
    }

    /** Whether an end of {@code task} is a failure: it should have run, and its app still wants it. */
    static boolean unwanted(TaskRecord task, boolean appWantsTasks) {
        return appWantsTasks && task.desired() == DesiredState.RUN;
    }

    private AppTaskHistory current(String appId) {
        return histories.getOrDefault(appId, AppTaskHistory.empty(appId));
    }

    private AppTaskHistory put(AppTaskHistory history, Consumer<AppTaskHistory> record) {
        histories.put(history.appId(), history);
        record.accept(history);
        return history;
    }
}
