package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.scheduler.placement.Cluster;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the scheduler holds between inputs: the apps' desired states, the task records and their
 * indexes (by app, by node, and as allocations in the {@link Cluster}), the queue as last published,
 * and the bookkeeping that spares hopeless searches. Kept apart from {@link SchedulerCore} so that the
 * core reads as the dispatcher of inputs it is, and so that every index is kept in step with the
 * records in one place ({@link #index}, {@link #unindex}). It decides nothing: the rules change it only
 * through an {@link InputPlan}, which turns each change into an {@link Action} as well.
 */
final class SchedulerState {
    private final Cluster cluster;
    private final Map<String, AppState> apps = new LinkedHashMap<>();
    private final Map<String, TaskRecord> tasks = new HashMap<>();
    private final Map<String, Map<String, TaskRecord>> tasksByApp = new HashMap<>();
    private final Map<String, Map<String, TaskRecord>> tasksByNode = new HashMap<>();
    private final Map<String, AppQueue> queue = new HashMap<>();
    /** Tasks draining before their kill (routed apps), by task id: few, so a tick looks at them all. */
    private final Map<String, TaskRecord> draining = new HashMap<>();
    /**
     * Grows whenever room may have appeared (a task ended, a node joined, returned, grew or was
     * undrained). A placement that failed at the current epoch would fail again, so an app (or a
     * drain) that waits for room is not searched again until it grows: with thousands of nodes a
     * hopeless search every tick would cost more than all the placements that succeed.
     */
    private long capacityEpoch;
    private final Map<String, Long> unplacedAtEpoch = new HashMap<>();
    /** Apps that are not settled (waiting, backing off, restarting, deleting): looked at on every tick. */
    private final Set<String> unsettled = new LinkedHashSet<>();

    SchedulerState(Cluster cluster) {
        this.cluster = cluster;
    }

    Cluster cluster() {
        return cluster;
    }

    // ---- apps -----------------------------------------------------------------------------------------

    AppState app(String appId) {
        return apps.get(appId);
    }

    boolean hasApp(String appId) {
        return apps.containsKey(appId);
    }

    /** Puts the app's state, and returns the one it replaces (null when new). */
    AppState putApp(AppState app) {
        return apps.put(app.appId(), app);
    }

    AppState removeApp(String appId) {
        return apps.remove(appId);
    }

    /** Every app, as a copy: for views that count them (the edge's metrics). */
    Collection<AppState> apps() {
        return List.copyOf(apps.values());
    }

    // ---- tasks and their indexes ------------------------------------------------------------------

    TaskRecord task(String taskId) {
        return tasks.get(taskId);
    }

    Collection<TaskRecord> tasks() {
        return List.copyOf(tasks.values());
    }

    /** The app's tasks, by instance. */
    List<TaskRecord> tasksOf(String appId) {
        return tasksByApp.getOrDefault(appId, Map.of()).values().stream()
                .sorted(Comparator.comparingInt(TaskRecord::instance).thenComparing(TaskRecord::taskId))
                .toList();
    }

    /** The app's tasks in the order they were indexed, as a copy to change the records while walking it. */
    List<TaskRecord> tasksOfInIndexOrder(String appId) {
        return List.copyOf(tasksByApp.getOrDefault(appId, Map.of()).values());
    }

    boolean hasTasks(String appId) {
        return !tasksByApp.getOrDefault(appId, Map.of()).isEmpty();
    }

    /** The tasks draining before their kill whose drain is over at {@code now}. */
    List<TaskRecord> drainedBy(java.time.Instant now) {
        return draining.values().stream().filter(t -> !now.isBefore(t.drainUntil())).toList();
    }

    Collection<TaskRecord> tasksOn(String nodeId) {
        return tasksByNode.getOrDefault(nodeId, Map.of()).values();
    }

    /** Records the task in every index, and allocates what it takes on its node. */
    void index(TaskRecord task) {
        unindex(task.taskId());
        tasks.put(task.taskId(), task);
        if (task.drainUntil() != null) {
            draining.put(task.taskId(), task);
        }
        tasksByApp.computeIfAbsent(task.appId(), a -> new LinkedHashMap<>()).put(task.taskId(), task);
        tasksByNode.computeIfAbsent(task.nodeId(), n -> new LinkedHashMap<>()).put(task.taskId(), task);
        AppState app = apps.get(task.appId());
        NodeResources resources = app == null ? NodeResources.NONE : new NodeResources(app.definition().cpus(),
                app.definition().mem(), app.definition().disk());
        cluster.allocate(new Cluster.Allocation(task.taskId(), task.appId(), task.nodeId(), resources,
                task.ports().stream().map(PortAssignment::port).toList()));
    }

    /** Drops the task from every index, and frees what it took on its node. */
    void unindex(String taskId) {
        TaskRecord old = tasks.remove(taskId);
        draining.remove(taskId);
        if (old == null) {
            return;
        }
        Map<String, TaskRecord> ofApp = tasksByApp.get(old.appId());
        if (ofApp != null) {
            ofApp.remove(taskId);
            if (ofApp.isEmpty()) {
                tasksByApp.remove(old.appId());
            }
        }
        Map<String, TaskRecord> onNode = tasksByNode.get(old.nodeId());
        if (onNode != null) {
            onNode.remove(taskId);
            if (onNode.isEmpty()) {
                tasksByNode.remove(old.nodeId());
            }
        }
        cluster.release(taskId);
    }

    // ---- the queue ----------------------------------------------------------------------------------

    Optional<AppQueue> queued(String appId) {
        return Optional.ofNullable(queue.get(appId));
    }

    /** Apps with a queue entry, as a copy. */
    List<String> queuedApps() {
        return List.copyOf(queue.keySet());
    }

    void putQueue(AppQueue entry) {
        queue.put(entry.appId(), entry);
    }

    void removeQueue(String appId) {
        queue.remove(appId);
    }

    /** Why instances of the app are still waiting for a node; empty when none wait for room. */
    Map<String, Integer> unplacedReasons(String appId) {
        AppQueue entry = queue.get(appId);
        return entry == null ? Map.of() : entry.unplaced();
    }

    // ---- room, and the apps looked at on every tick -----------------------------------------------

    long capacityEpoch() {
        return capacityEpoch;
    }

    /** Room may have appeared: searches that found none may succeed now. */
    void capacityGrew() {
        capacityEpoch++;
    }

    /** True when the app's last search found no room and nothing that could make room has happened since. */
    boolean searchedInVain(String appId) {
        return Long.valueOf(capacityEpoch).equals(unplacedAtEpoch.get(appId));
    }

    /** The app's search found no room at the current epoch. */
    void searchFailed(String appId) {
        unplacedAtEpoch.put(appId, capacityEpoch);
    }

    /** The app is searched again at its next pass, whatever the epoch. */
    void searchAgain(String appId) {
        unplacedAtEpoch.remove(appId);
    }

    void unsettle(String appId) {
        unsettled.add(appId);
    }

    void settle(String appId) {
        unsettled.remove(appId);
    }

    boolean isUnsettled(String appId) {
        return unsettled.contains(appId);
    }

    /** The unsettled apps that still exist, in the order they became unsettled; the others are dropped. */
    List<String> unsettledApps() {
        unsettled.removeIf(appId -> !apps.containsKey(appId));
        return List.copyOf(unsettled);
    }
}
