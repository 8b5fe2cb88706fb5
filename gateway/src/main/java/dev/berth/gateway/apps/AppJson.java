package dev.berth.gateway.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppStatus;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.gateway.queue.QueueJson;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An app as the API shows it: its definition in Marathon's field names, then what Berth adds —
 * version, a status, counts of running, healthy, unhealthy and staged tasks, the tasks themselves,
 * what of it waits to be placed ({@code waiting}, {@code unplaced}, {@code delayedUntil}, from
 * the queue) and the volumes its identities own ({@code volumes}, from the volume events; the
 * declared ones are in Marathon's {@code container.volumes}). The definition includes its
 * {@code upgradeStrategy}, defaults filled in; the resource adds the deployment under way, if any.
 *
 * <p>What became of its tasks comes from the scheduler's task history: Marathon's
 * {@code lastTaskFailure}, {@code failuresInARow}, each task's instance's {@code restarts} and
 * {@code lastFailure}, and the status {@code CRASH_LOOPING} or {@code BACKOFF} when failures keep it
 * from running.
 */
public final class AppJson {
    /** The status words of {@link AppStatus}, which decides them (and which the scheduler's metrics count). */
    public static final String DEPLOYING = AppStatus.DEPLOYING.name();
    public static final String CRASH_LOOPING = AppStatus.CRASH_LOOPING.name();
    public static final String BACKOFF = AppStatus.BACKOFF.name();
    public static final String RUNNING = AppStatus.RUNNING.name();
    public static final String DELETING = AppStatus.DELETING.name();
    /** Only in the answer to a DELETE that the scheduler completed at once: the app is gone. */
    public static final String DELETED = "DELETED";

    private AppJson() {
    }

    public static ObjectNode of(AppState state, List<TaskRecord> tasks, Optional<AppQueue> queued,
                                List<VolumeSnapshot> volumes, Optional<AppTaskHistory> history) {
        return of(state.definition(), state.version(), state.deleting(), tasks, queued, volumes, history);
    }

    /** An app recorded by the scheduler, given as its parts so an answer can show a change just requested. */
    public static ObjectNode of(AppDefinition definition, long version, boolean deleting, List<TaskRecord> tasks,
                                Optional<AppQueue> queued, List<VolumeSnapshot> volumes,
                                Optional<AppTaskHistory> history) {
        TaskCounts counts = TaskCounts.of(tasks);
        int failuresInARow = history.map(AppTaskHistory::failuresInARow).orElse(0);
        String status = AppStatus.of(definition.instances(), deleting, tasks, queued, history).name();
        ObjectNode json = build(definition, version, status, counts, tasks, queued, volumes, history);
        json.set("lastTaskFailure", JsonCodec.mapper().valueToTree(
                history.map(h -> FailureJson.of(h.lastTaskFailure())).orElse(null)));
        json.put("failuresInARow", failuresInARow);
        return json;
    }

    /** One line of an app's history: {@code version}, {@code change}, {@code occurredAt}. */
    public static ObjectNode versionSummary(AppVersion version) {
        ObjectNode json = JsonCodec.mapper().createObjectNode();
        json.put("version", version.version());
        json.put("change", version.change());
        json.put("occurredAt", version.occurredAt() == null ? null : version.occurredAt().toString());
        return json;
    }

    /** The whole definition of one version, shown as an app's definition is, with the summary's fields. */
    public static ObjectNode definitionAt(AppVersion version) {
        ObjectNode json = JsonCodec.mapper().valueToTree(version.definition());
        json.setAll(versionSummary(version));
        return json;
    }

    /**
     * Marathon's counters. A task whose checks fail still runs: it counts as running and unhealthy,
     * as in Marathon, until it is killed; healthy and unhealthy stay 0 for an app without checks.
     */
    record TaskCounts(long running, long healthy, long unhealthy, long staged) {
        static TaskCounts of(List<TaskRecord> tasks) {
            return new TaskCounts(
                    tasks.stream().filter(t -> t.state().isActive()).count(),
                    tasks.stream().filter(t -> t.state() == TaskState.HEALTHY).count(),
                    tasks.stream().filter(t -> t.state() == TaskState.UNHEALTHY).count(),
                    tasks.stream().filter(t -> t.state() == TaskState.STAGING || t.state() == TaskState.STARTING)
                            .count());
        }
    }

    private static ObjectNode build(AppDefinition app, long version, String status, TaskCounts counts,
                                    List<TaskRecord> tasks, Optional<AppQueue> queued,
                                    List<VolumeSnapshot> volumes, Optional<AppTaskHistory> history) {
        ObjectNode json = JsonCodec.mapper().valueToTree(app);
        json.put("version", version);
        json.put("status", status);
        json.put("tasksRunning", counts.running());
        json.put("tasksHealthy", counts.healthy());
        json.put("tasksUnhealthy", counts.unhealthy());
        json.put("tasksStaged", counts.staged());
        json.set("tasks", JsonCodec.mapper().valueToTree(tasks.stream().map(t -> TaskJson.of(t, history)).toList()));
        json.put("waiting", queued.map(AppQueue::waiting).orElse(0));
        json.set("unplaced", JsonCodec.mapper().valueToTree(
                queued.map(q -> QueueJson.mostCommonFirst(q.unplaced())).orElse(Map.of())));
        queued.map(AppQueue::delayedUntil).ifPresent(until -> json.put("delayedUntil", until.toString()));
        queued.map(q -> QueueJson.Delay.of(q.delay())).ifPresent(delay -> json.set("delay",
                JsonCodec.mapper().valueToTree(delay)));
        json.set("volumes", JsonCodec.mapper().valueToTree(volumes.stream().map(AppVolumeJson::of).toList()));
        return json;
    }
}
