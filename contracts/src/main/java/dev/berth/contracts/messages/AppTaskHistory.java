package dev.berth.contracts.messages;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What became of one app's tasks, on the compacted {@code berth.task-history} keyed by app id: its
 * last failure, how many failed in a row, each instance's restarts and last failure, and the last
 * tasks that ended (their final records, newest first). Written only by the scheduler, in the same
 * transaction as the task's end; read by the gateway (the app's {@code lastTaskFailure} and status,
 * {@code GET /v1/tasks?state=terminal}) and by a scheduler that takes over, so counts go on. A
 * tombstone when the app is gone.
 *
 * <p>Kept apart from {@link AppState} on purpose: that is desired state, this is what was observed.
 *
 * @param failuresInARow tasks that failed since the app last stayed up (the scheduler's backoff reset);
 *                       0 once it did
 * @param instances      instance → its restarts (ends while it should have run) and last failure
 * @param ended          the final records of the last tasks that ended, newest first
 */
public record AppTaskHistory(String id, int schemaVersion, Instant occurredAt, String correlationId,
                             String appId, TaskFailure lastTaskFailure, int failuresInARow,
                             List<InstanceRestarts> instances, List<TaskRecord> ended) implements Message {

    /**
     * One instance's restarts: how often a task of it ended while it should have run (and so was
     * started again), and the last such end.
     */
    public record InstanceRestarts(int instance, int restarts, TaskFailure lastFailure) {
    }

    public AppTaskHistory {
        instances = instances == null ? List.of() : List.copyOf(instances);
        ended = ended == null ? List.of() : List.copyOf(ended);
    }

    /** An app of which nothing has ended yet. */
    public static AppTaskHistory empty(String appId) {
        return new AppTaskHistory(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, null, 0, List.of(),
                List.of());
    }

    /** This history with {@code last} (a task's final record) first among the ended, at most {@code kept} of them. */
    public AppTaskHistory withEnded(TaskRecord last, int kept, String cause, Instant at) {
        List<TaskRecord> next = new ArrayList<>(kept);
        next.add(last);
        ended.stream().filter(t -> !t.taskId().equals(last.taskId())).limit(Math.max(0, kept - 1)).forEach(next::add);
        return new AppTaskHistory(Ids.newId(), SCHEMA_VERSION, at, cause, appId, lastTaskFailure, failuresInARow,
                instances, next);
    }

    /** This history with one more failure: the app's last, one more in a row, one more restart of its instance. */
    public AppTaskHistory withFailure(TaskFailure failure, String cause, Instant at) {
        List<InstanceRestarts> next = new ArrayList<>();
        boolean found = false;
        for (InstanceRestarts i : instances) {
            if (i.instance() == failure.instance()) {
                next.add(new InstanceRestarts(i.instance(), i.restarts() + 1, failure));
                found = true;
            } else {
                next.add(i);
            }
        }
        if (!found) {
            next.add(new InstanceRestarts(failure.instance(), 1, failure));
        }
        next.sort(Comparator.comparingInt(InstanceRestarts::instance));
        return new AppTaskHistory(Ids.newId(), SCHEMA_VERSION, at, cause, appId, failure, failuresInARow + 1, next,
                ended);
    }

    /** The app stayed up: no failures in a row any more (the last one and the restart counts stay). */
    public AppTaskHistory settled(String cause, Instant at) {
        return new AppTaskHistory(Ids.newId(), SCHEMA_VERSION, at, cause, appId, lastTaskFailure, 0, instances,
                ended);
    }

    /** The restarts of one instance; none if it never failed. */
    public InstanceRestarts instance(int instance) {
        return instances.stream().filter(i -> i.instance() == instance).findFirst()
                .orElse(new InstanceRestarts(instance, 0, null));
    }
}
