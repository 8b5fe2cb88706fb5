package dev.berth.gateway.view;

import dev.berth.contracts.Topics;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The gateway's read model: the latest app states, task records, node reports, node modes,
 * queue entries, volumes, app versions and deployments, as the compacted topics hold them, and the last record of tasks
 * removed lately. Written by one consumer thread, read by request threads.
 */
public final class ClusterView {
    static final int ENDED_KEPT = 10_000;
    private final Map<String, AppState> apps = new ConcurrentHashMap<>();
    private final Map<String, TaskRecord> tasks = new ConcurrentHashMap<>();
    private final Map<String, NodeEntry> nodes = new ConcurrentHashMap<>();
    // Kept apart from the node reports: an operator may drain a node before its agent reports again.
    private final Map<String, NodeMode> nodeModes = new ConcurrentHashMap<>();
    private final Map<String, AppQueue> queue = new ConcurrentHashMap<>();
    private final Map<String, dev.berth.contracts.messages.AppRoutes> routes = new ConcurrentHashMap<>();
    /** Every kept version of every app's definition (berth.app-versions), by app id, then version. */
    private final Map<String, NavigableMap<Long, AppVersion>> versions = new ConcurrentHashMap<>();
    /** Notified whenever an app's state changes, for {@link #awaitApp}. */
    private final Object appChanges = new Object();
    /**
     * Every deployment the scheduler keeps on {@code berth.deployments} (per app the unfinished one and
     * the latest 20 finished), by deployment id.
     */
    private final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
    /**
     * The unfinished deployment of each app, by app id: every app in a list shows its own, so finding it
     * must not mean a walk over all the deployments kept (20 finished per app).
     */
    private final Map<String, Deployment> activeByApp = new ConcurrentHashMap<>();
    /** Notified whenever a deployment changes, for {@link #awaitDeployment}. */
    private final Object deploymentChanges = new Object();
    /**
     * The latest snapshot of every volume. A DELETED volume stays, as DELETED, so an operator who
     * deleted it, or whose DELETE answered 202, can still see that it is gone; only a tombstone
     * removes one. (Few and small: a volume is deleted by hand or with its app.)
     */
    private final Map<String, VolumeSnapshot> volumes = new ConcurrentHashMap<>();
    /** What became of each app's tasks (berth.task-history), by app id. */
    private final Map<String, AppTaskHistory> histories = new ConcurrentHashMap<>();
    /** Told of every volume event the view applied, after applying it (so they see the view updated). */
    private final List<Consumer<VolumeEvent>> volumeListeners = new CopyOnWriteArrayList<>();
    /**
     * The last record of tasks the scheduler removed (they ended), newest last and at most
     * {@link #ENDED_KEPT}: a task that crashed is gone from {@code berth.tasks} at once, yet its
     * logs on the agent are what an operator wants to read next.
     */
    private final Map<String, TaskRecord> ended = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TaskRecord> eldest) {
            return size() > ENDED_KEPT;
        }
    };

    /** A node's latest report and when the gateway received it. */
    public record NodeEntry(NodeReport report, Instant lastSeen) {
        /** True while the node's agent was heard from within {@code timeout} before {@code now}. */
        public boolean reachable(Instant now, Duration timeout) {
            return !lastSeen.plus(timeout).isBefore(now);
        }
    }

    public void putApp(AppState app) {
        apps.put(app.appId(), app);
        appsChanged();
    }

    public void removeApp(String appId) {
        apps.remove(appId);
        appsChanged();
    }

    private void appsChanged() {
        synchronized (appChanges) {
            appChanges.notifyAll();
        }
    }

    /**
     * Waits, at most {@code timeout}, until the app's state (empty when it is gone) satisfies
     * {@code condition}; returns it as it then is, whether or not it does. A request that the scheduler
     * answered waits here so its answer, and the caller's next read, show the change (read your writes).
     */
    public Optional<AppState> awaitApp(String appId, Predicate<Optional<AppState>> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (appChanges) {
            Optional<AppState> state = app(appId);
            long left;
            while (!condition.test(state) && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(appChanges, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return state;
                }
                state = app(appId);
            }
            return state;
        }
    }

    public void putDeployment(Deployment deployment) {
        deployments.put(deployment.deploymentId(), deployment);
        if (deployment.isFinished()) {
            forgetActive(deployment);
        } else {
            // A forced change ends the old one and starts the new one in one transaction, the end first:
            // the one written last is the one under way.
            activeByApp.put(deployment.appId(), deployment);
        }
        deploymentsChanged();
    }

    /** A tombstone on the deployments topic: the scheduler forgot it (an old one, or its app was deleted). */
    public void removeDeployment(String deploymentId) {
        Deployment last = deployments.remove(deploymentId);
        if (last != null) {
            forgetActive(last);
        }
        deploymentsChanged();
    }

    /** The app has no deployment under way any more, unless it is another than this one. */
    private void forgetActive(Deployment deployment) {
        activeByApp.computeIfPresent(deployment.appId(),
                (app, held) -> held.deploymentId().equals(deployment.deploymentId()) ? null : held);
    }

    private void deploymentsChanged() {
        synchronized (deploymentChanges) {
            deploymentChanges.notifyAll();
        }
    }

    public Optional<Deployment> deployment(String deploymentId) {
        return Optional.ofNullable(deployments.get(deploymentId));
    }

    /** Every deployment kept, newest first (by when it started, then by id so that the order is stable). */
    public List<Deployment> deployments() {
        return deployments.values().stream().sorted(NEWEST_FIRST).toList();
    }

    /** The app's deployment that has not finished (RUNNING or PAUSED), if any: the scheduler runs at most one. */
    public Optional<Deployment> activeDeployment(String appId) {
        return Optional.ofNullable(activeByApp.get(appId));
    }

    /**
     * Waits, at most {@code timeout}, until the deployment (empty when it is gone) satisfies
     * {@code condition}; returns it as it then is, whether or not it does (as {@link #awaitApp}).
     */
    public Optional<Deployment> awaitDeployment(String deploymentId, Predicate<Optional<Deployment>> condition,
                                                Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (deploymentChanges) {
            Optional<Deployment> state = deployment(deploymentId);
            long left;
            while (!condition.test(state) && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(deploymentChanges, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return state;
                }
                state = deployment(deploymentId);
            }
            return state;
        }
    }

    private static final Comparator<Deployment> NEWEST_FIRST = Comparator
            .comparing(Deployment::startedAt, Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(Deployment::deploymentId, Comparator.reverseOrder());

    public void putVersion(AppVersion version) {
        versions.computeIfAbsent(version.appId(), id -> new ConcurrentSkipListMap<>()).put(version.version(), version);
    }

    /** Removes one version of an app, as its key on {@code berth.app-versions} names it. */
    public void removeVersion(Topics.AppVersionKey key) {
        versions.computeIfPresent(key.appId(), (id, kept) -> {
            kept.remove(key.version());
            return kept.isEmpty() ? null : kept;
        });
    }

    /** The versions of an app kept on {@code berth.app-versions}, newest first. */
    public List<AppVersion> versionsOf(String appId) {
        NavigableMap<Long, AppVersion> kept = versions.get(appId);
        return kept == null ? List.of() : List.copyOf(kept.descendingMap().values());
    }

    public Optional<AppVersion> version(String appId, long version) {
        NavigableMap<Long, AppVersion> kept = versions.get(appId);
        return kept == null ? Optional.empty() : Optional.ofNullable(kept.get(version));
    }

    public void putTask(TaskRecord task) {
        tasks.put(task.taskId(), task);
    }

    public void removeTask(String taskId) {
        TaskRecord last = tasks.remove(taskId);
        if (last != null) {
            synchronized (ended) {
                ended.put(taskId, last);
            }
        }
    }

    public void putNode(NodeReport report, Instant receivedAt) {
        nodes.put(report.nodeId(), new NodeEntry(report, receivedAt));
    }

    public void putNodeMode(String nodeId, NodeMode mode) {
        nodeModes.put(nodeId, mode);
    }

    /** A tombstone on the node-admin topic: nothing is asked of the node any more. */
    public void clearNodeMode(String nodeId) {
        nodeModes.remove(nodeId);
    }

    public void putHistory(AppTaskHistory history) {
        histories.put(history.appId(), history);
    }

    /** A tombstone on the task-history topic: the app is gone. */
    public void removeHistory(String appId) {
        histories.remove(appId);
    }

    /** What became of the app's tasks, if any ended. */
    public Optional<AppTaskHistory> history(String appId) {
        return Optional.ofNullable(histories.get(appId));
    }

    /** The final records of the ended tasks the scheduler keeps, every app's, newest first per app. */
    public List<TaskRecord> endedTasks() {
        return histories.values().stream().flatMap(h -> h.ended().stream()).toList();
    }

    /** The final record of an ended task the scheduler keeps on its app's history. */
    public Optional<TaskRecord> endedTask(String taskId) {
        return histories.values().stream().flatMap(h -> h.ended().stream())
                .filter(t -> t.taskId().equals(taskId)).findFirst();
    }

    public void putQueue(AppQueue entry) {
        queue.put(entry.appId(), entry);
    }

    /** A tombstone on the queue topic: nothing of the app waits any more. */
    public void removeQueue(String appId) {
        queue.remove(appId);
    }

    /**
     * Applies a volume event, unless its snapshot is older than the one held: the volume service's
     * relay publishes at least once, so an old event may come again after newer ones. An event of
     * the same version is applied: a refusal changes nothing, so it carries the version it found.
     *
     * @return false when the event was stale and ignored
     */
    public boolean putVolume(VolumeEvent event) {
        VolumeSnapshot incoming = event.volume();
        VolumeSnapshot held = volumes.get(incoming.volumeId());
        if (held != null && incoming.version() < held.version()) {
            return false;
        }
        volumes.put(incoming.volumeId(), incoming);
        volumeListeners.forEach(listener -> listener.accept(event));
        return true;
    }

    /** A tombstone on the volume-events topic: the volume service forgot the volume. */
    public void removeVolume(String volumeId) {
        volumes.remove(volumeId);
    }

    /** {@code listener} hears every volume event applied from now on, on the consumer thread: keep it short. */
    public void onVolumeEvent(Consumer<VolumeEvent> listener) {
        volumeListeners.add(listener);
    }

    public Optional<VolumeSnapshot> volume(String volumeId) {
        return Optional.ofNullable(volumes.get(volumeId));
    }

    /** Every volume, DELETED ones included, by id. */
    public List<VolumeSnapshot> volumes() {
        return volumes.values().stream().sorted(Comparator.comparing(VolumeSnapshot::volumeId)).toList();
    }

    /** The volumes an app still has (not DELETED), by identity, then id. */
    public List<VolumeSnapshot> volumesOf(String appId) {
        return volumes.values().stream()
                .filter(v -> appId.equals(v.appId()) && v.state() != VolumeState.DELETED)
                .sorted(Comparator.comparing(VolumeSnapshot::identity, Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(VolumeSnapshot::volumeId))
                .toList();
    }

    public Optional<AppState> app(String appId) {
        return Optional.ofNullable(apps.get(appId));
    }

    public List<AppState> apps() {
        return apps.values().stream().sorted(Comparator.comparing(AppState::appId)).toList();
    }

    public List<TaskRecord> tasksOf(String appId) {
        return tasks.values().stream().filter(t -> t.appId().equals(appId))
                .sorted(Comparator.comparingInt(TaskRecord::instance).thenComparing(TaskRecord::taskId)).toList();
    }

    public Collection<TaskRecord> tasks() {
        return List.copyOf(tasks.values());
    }

    /** A task the scheduler records now. */
    public Optional<TaskRecord> task(String taskId) {
        return Optional.ofNullable(tasks.get(taskId));
    }

    /** A task the scheduler records, or one it removed lately (it ended): its last record. */
    public Optional<TaskRecord> lastKnownTask(String taskId) {
        TaskRecord live = tasks.get(taskId);
        if (live != null) {
            return Optional.of(live);
        }
        Optional<TaskRecord> kept = endedTask(taskId);
        if (kept.isPresent()) {
            return kept;
        }
        synchronized (ended) {
            return Optional.ofNullable(ended.get(taskId));
        }
    }

    public Optional<NodeEntry> node(String nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    public List<NodeEntry> nodes() {
        return nodes.values().stream().sorted(Comparator.comparing(n -> n.report().nodeId())).toList();
    }

    /** The node's wanted mode; ACTIVE unless an operator drained it. */
    public NodeMode nodeMode(String nodeId) {
        return nodeModes.getOrDefault(nodeId, NodeMode.ACTIVE);
    }

    /** What of the app waits to be placed, if anything does. */
    public Optional<AppQueue> queued(String appId) {
        return Optional.ofNullable(queue.get(appId));
    }

    public void putRoutes(dev.berth.contracts.messages.AppRoutes decided) {
        routes.put(decided.appId(), decided);
    }

    public void removeRoutes(String appId) {
        routes.remove(appId);
    }

    /** The app's routes as the scheduler decided them, if its labels claim any. */
    public Optional<dev.berth.contracts.messages.AppRoutes> routesOf(String appId) {
        return Optional.ofNullable(routes.get(appId));
    }

    /** Every app's routes, by app id. */
    public List<dev.berth.contracts.messages.AppRoutes> routes() {
        return routes.values().stream().sorted(Comparator.comparing(dev.berth.contracts.messages.AppRoutes::appId)).toList();
    }

    /** Every app that has instances waiting, by app id. */
    public List<AppQueue> queue() {
        return queue.values().stream().sorted(Comparator.comparing(AppQueue::appId)).toList();
    }
}
