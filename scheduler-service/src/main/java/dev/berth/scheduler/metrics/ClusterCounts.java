package dev.berth.scheduler.metrics;

import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.app.AppStatus;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.scheduler.placement.NodeAvailability;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the scheduler's state gauges show, counted from the state the core exposes: tasks by observed
 * state and team, apps by status and team, waiting instances by why they wait, nodes by availability. Plain Java, so the
 * counting is tested without a registry; {@link SchedulerMetrics} publishes it.
 *
 * <p>Why counts of labels and not of ids: every label here has few values (ten task states, five app
 * statuses, the teams, three reasons), so a Prometheus keeps a handful of series however many tasks run.
 *
 * @param tasks   (state, team) → tasks the scheduler records in that observed state
 * @param apps    (status, team) → apps with that {@link AppStatus}
 * @param waiting reason → instances waiting in the queue for it
 * @param nodes   availability → registered nodes with it
 */
public record ClusterCounts(Map<StateAndTeam, Long> tasks, Map<StatusAndTeam, Long> apps,
                            Map<WaitReason, Long> waiting, Map<NodeAvailability, Long> nodes) {

    /** A task state (as {@code TaskState} names it) in a team. */
    public record StateAndTeam(String state, String team) {
    }

    /** An app status (as {@link AppStatus} names it) in a team. */
    public record StatusAndTeam(String status, String team) {
    }

    /**
     * Why an app's instances wait. Not the placement engine's own reasons: those name users, providers
     * and constraint values, which would make a label without bound; they stay in {@code GET /v1/queue}.
     */
    public enum WaitReason {
        /** A failing instance waits out its backoff before it is launched again. */
        BACKOFF,
        /** No node fits (resources, ports, constraints …): the app waits for room. */
        UNPLACED,
        /** Waiting for something else: a deployment's step, a volume, a drain's order. */
        PENDING;

        /** The label value: {@code backoff}, {@code unplaced}, {@code pending}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static WaitReason of(AppQueue entry) {
            return entry.delayedUntil() != null ? BACKOFF : entry.unplaced().isEmpty() ? PENDING : UNPLACED;
        }
    }

    public ClusterCounts {
        tasks = Map.copyOf(tasks);
        apps = Map.copyOf(apps);
        waiting = Map.copyOf(waiting);
        nodes = Map.copyOf(nodes);
    }

    /** What a scheduler that does not act shows: nothing (a standby must not double the active one's counts). */
    public static ClusterCounts none() {
        return new ClusterCounts(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /**
     * Counts the state as the core holds it.
     *
     * @param queued  an app's queue entry, if anything of it waits
     * @param history what became of an app's ended tasks, if any ended
     * @param nodes   every registered node's availability
     */
    public static ClusterCounts of(Collection<AppState> apps, Collection<TaskRecord> tasks,
                                   Function<String, Optional<AppQueue>> queued,
                                   Function<String, Optional<AppTaskHistory>> history,
                                   Collection<NodeAvailability> nodes) {
        Map<StateAndTeam, Long> byState = new HashMap<>();
        Map<String, List<TaskRecord>> byApp = new HashMap<>();
        for (TaskRecord task : tasks) {
            byState.merge(new StateAndTeam(task.state().name(), AppIds.team(task.appId())), 1L, Long::sum);
            byApp.computeIfAbsent(task.appId(), id -> new java.util.ArrayList<>()).add(task);
        }
        Map<StatusAndTeam, Long> byStatus = new HashMap<>();
        Map<WaitReason, Long> waiting = new HashMap<>();
        for (AppState app : apps) {
            Optional<AppQueue> entry = queued.apply(app.appId());
            AppStatus status = AppStatus.of(app.definition().instances(), app.deleting(),
                    byApp.getOrDefault(app.appId(), List.of()), entry, history.apply(app.appId()));
            byStatus.merge(new StatusAndTeam(status.name(), AppIds.team(app.appId())), 1L, Long::sum);
            entry.filter(e -> e.waiting() > 0)
                    .ifPresent(e -> waiting.merge(WaitReason.of(e), (long) e.waiting(), Long::sum));
        }
        Map<NodeAvailability, Long> byAvailability = new java.util.EnumMap<>(NodeAvailability.class);
        nodes.forEach(mode -> byAvailability.merge(mode, 1L, Long::sum));
        return new ClusterCounts(byState, byStatus, waiting, byAvailability);
    }
}
