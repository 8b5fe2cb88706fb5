package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeAvailability;
import dev.berth.scheduler.placement.PlacementEngine;
import dev.berth.scheduler.placement.PlacementResult;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Operators' drains: a draining node takes no new tasks, and its tasks move elsewhere one at a time
 * per node (the next move starts only once the previous one is done), oldest first.
 * <ul>
 *   <li>A stateless task moves new-first: a replacement starts on another node and takes over once it
 *       runs (its original is stopped then).</li>
 *   <li>A stateful identity whose volumes are all external moves stop-first, since two tasks must never
 *       share a volume: see {@link StatefulReconciler#moveOffDrainingNode}. The move is done once the
 *       identity runs again elsewhere.</li>
 *   <li>An identity holding a local volume stays: its data cannot leave the node. Its app's queue entry
 *       says so and what the operator can do; the rest of the node drains around it.</li>
 * </ul>
 * A task whose move finds no room waits, and its app's queue entry says why. The drain itself is on
 * the compacted {@code berth.node-admin}; the moves in flight are derived from the task records, except
 * the identity a node is moving stop-first, once its task has ended and before it runs elsewhere (a
 * scheduler that takes over then may start the node's next move early; an app's next identity still
 * waits until all of them run).
 */
final class NodeDrains {
    private final Cluster cluster;
    private final PlacementEngine engine;
    private final StatelessReconciler stateless;
    private final StatefulReconciler stateful;
    private final Set<String> drained = new TreeSet<>();
    /** Why a draining node's next task found no other node, per app. */
    private final Map<String, Map<String, Integer>> unplaced = new HashMap<>();
    /** The capacity epoch at which each node's next move found no room: not searched again before it grows. */
    private final Map<String, Long> unplacedAtEpoch = new HashMap<>();
    /** Per app, each identity kept on a draining node by its local volume, with why (one reason each). */
    private final Map<String, Map<String, Integer>> heldByLocalVolume = new HashMap<>();
    /** The task each draining node stopped to move its identity, until that identity runs elsewhere. */
    private final Map<String, TaskRecord> stopFirstMoves = new HashMap<>();

    NodeDrains(Cluster cluster, PlacementEngine engine, StatelessReconciler stateless, StatefulReconciler stateful) {
        this.cluster = cluster;
        this.engine = engine;
        this.stateless = stateless;
        this.stateful = stateful;
    }

    /**
     * Records an operator's drain or undrain (the latest per node stands) and sets the node's mode.
     *
     * @return whether the node was drained before
     */
    boolean apply(NodeAdminCommand command) {
        boolean was = command instanceof DrainNode ? !drained.add(command.nodeId()) : drained.remove(command.nodeId());
        cluster.setMode(command.nodeId(), modeWhenReachable(command.nodeId()));
        return was;
    }

    /** The mode of a node heard from: draining if an operator drained it, else ready. */
    NodeAvailability modeWhenReachable(String nodeId) {
        return drained.contains(nodeId) ? NodeAvailability.DRAINING : NodeAvailability.READY;
    }

    /** How many of the app's tasks a drain cannot move now (counted as waiting in its queue entry), and why. */
    record Blocked(int tasks, Map<String, Integer> reasons) {
    }

    /** What of the app's drains waits; empty when nothing does. */
    Optional<Blocked> blocked(String appId) {
        Map<String, Integer> noRoom = unplaced.get(appId);
        Map<String, Integer> held = heldByLocalVolume.get(appId);
        if (noRoom == null && held == null) {
            return Optional.empty();
        }
        Map<String, Integer> reasons = new TreeMap<>(noRoom == null ? Map.of() : noRoom);
        if (held != null) {
            held.forEach((r, n) -> reasons.merge(r, n, Math::max));
        }
        return Optional.of(new Blocked((noRoom == null ? 0 : 1) + (held == null ? 0 : held.size()), reasons));
    }

    /** Starts the next move of every draining node whose previous move is done. */
    void progress(SchedulerView view, Changes changes) {
        Map<String, Map<String, Integer>> unplacedBefore = new HashMap<>(unplaced);
        unplaced.clear();
        heldByLocalVolume.clear();
        // An undrained (or lost) node's stop-first move is over: its identity is placed by the usual rules.
        stopFirstMoves.keySet().removeIf(nodeId -> cluster.mode(nodeId) != NodeAvailability.DRAINING);
        for (String nodeId : drained) {
            if (cluster.mode(nodeId) != NodeAvailability.DRAINING) {
                continue;
            }
            List<TaskRecord> movable = tasksToMove(nodeId, view, changes);
            if (movable.isEmpty() || moving(nodeId, movable, view)) {
                continue;
            }
            TaskRecord next = movable.get(0);
            AppState app = view.app(next.appId()).orElse(null);
            if (app == null || app.deleting() || view.delayedUntil(app.appId()) != null) {
                continue;
            }
            if (!next.volumes().isEmpty() && !stateful.allIdentitiesRun(app, view)) {
                // As a restart goes: one identity down at a time. Not a search, so nothing is cached.
                unplacedAtEpoch.remove(nodeId);
                unplaced.put(app.appId(), Map.of("waiting for every identity to run before moving "
                        + next.identity() + " off draining node " + nodeId, 1));
                changes.unsettle(app.appId());
                continue;
            }
            if (Long.valueOf(view.capacityEpoch()).equals(unplacedAtEpoch.get(nodeId))
                    && unplacedBefore.containsKey(app.appId())) {
                unplaced.put(app.appId(), unplacedBefore.get(app.appId()));
                continue;
            }
            PlacementResult result;
            if (next.volumes().isEmpty()) {
                String taskId = TaskIds.newTaskId(app.appId());
                result = engine.place(List.of(StatelessReconciler.request(app.definition(), taskId)), cluster).get(0);
                if (result instanceof PlacementResult.Placed placed) {
                    stateless.launch(app, taskId, next.instance(), placed, next.taskId(), view, changes);
                }
            } else {
                result = stateful.moveOffDrainingNode(app, next, nodeId, changes);
                if (result instanceof PlacementResult.Placed) {
                    stopFirstMoves.put(nodeId, next);
                }
            }
            if (result instanceof PlacementResult.Unplaced why) {
                unplacedAtEpoch.put(nodeId, view.capacityEpoch());
                unplaced.put(app.appId(), why.reasons());
                changes.unsettle(app.appId());
            } else {
                unplacedAtEpoch.remove(nodeId);
            }
        }
    }

    /**
     * The node's tasks a drain moves, oldest first. Identities holding a local volume are left out: they
     * stay, and their apps' queue entries say why.
     */
    private List<TaskRecord> tasksToMove(String nodeId, SchedulerView view, Changes changes) {
        List<TaskRecord> movable = view.tasksOn(nodeId).stream()
                .filter(t -> t.desired() == DesiredState.RUN && t.replaces() == null)
                .sorted(Comparator.comparing(TaskRecord::launchedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(TaskRecord::taskId))
                .toList();
        for (TaskRecord task : movable) {
            if (holdsLocalVolume(task)) {
                heldByLocalVolume.computeIfAbsent(task.appId(), a -> new TreeMap<>())
                        .put(heldReason(task, nodeId), 1);
                // Looked at on every tick while held, so its queue entry says why until the drain ends.
                changes.unsettle(task.appId());
            }
        }
        return movable.stream().filter(t -> !holdsLocalVolume(t)).toList();
    }

    static boolean holdsLocalVolume(TaskRecord task) {
        return task.volumes().stream().anyMatch(v -> v.type() == VolumeType.LOCAL);
    }

    /** What the queue says of an identity a drain cannot move, and what the operator can do about it. */
    static String heldReason(TaskRecord task, String nodeId) {
        return "holds a local volume on draining node " + nodeId + ": replace the instance (POST /v1/apps"
                + task.appId() + "/instances/" + task.identity() + "/replace) or delete the app to move it";
    }

    /**
     * Whether the node's previous move is still under way: a stateless replacement still starting, or
     * an identity moved stop-first that does not run elsewhere yet (still stopping, placed, or waiting
     * for room).
     */
    private boolean moving(String nodeId, List<TaskRecord> movable, SchedulerView view) {
        boolean replacing = movable.stream().anyMatch(original -> view.tasksOf(original.appId()).stream()
                .anyMatch(t -> original.taskId().equals(t.replaces()) && t.desired() == DesiredState.RUN));
        TaskRecord stopped = stopFirstMoves.get(nodeId);
        if (replacing || stopped == null) {
            return replacing;
        }
        AppState app = view.app(stopped.appId()).orElse(null);
        boolean done = app == null || app.deleting() || stopped.instance() >= app.definition().instances()
                || view.tasksOf(stopped.appId()).stream().anyMatch(t -> t.instance() == stopped.instance()
                && !t.taskId().equals(stopped.taskId()) && t.desired() == DesiredState.RUN && t.state().isActive());
        if (done) {
            stopFirstMoves.remove(nodeId);
        }
        return !done;
    }
}
