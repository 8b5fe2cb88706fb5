package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskFailure;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeInfo;
import dev.berth.scheduler.placement.NodeAvailability;
import dev.berth.scheduler.placement.PlacementEngine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The scheduler's decisions, as plain Java: it holds the desired state of every app, the record of
 * every task and the latest word from every node, and turns each input (an app command, a task
 * status, a node report, an operator's drain, the passing of time) into a list of {@link Action}s.
 *
 * <p>Each app is reconciled the same way whatever woke it up, by {@link StatelessReconciler} or, for
 * an app with volumes, {@link StatefulReconciler}; both act through the {@link Plan} of the input. A task
 * whose health checks have failed too often in a row is stopped and its instance relaunched after the
 * app's backoff ({@link Backoffs}), as a failure is. {@link NodeLiveness} says which nodes are still
 * there and when a lost node's lease is over; {@link NodeDrains} moves tasks off drained nodes.
 *
 * <p>A stateful app (one with volumes) is reconciled by identity instead ({@code db-0}, {@code db-1}):
 * each identity owns its volumes, is launched only once the volume service attached them, returns to
 * the node its local volume lives on, and has its external volumes fenced before they follow it to
 * another node; see {@link StatefulReconciler} and {@link StatefulVolumes}.
 *
 * <p>Every change it decides is also announced on the public event stream ({@link Announcements}): the
 * plan emits the event next to the record of the change, and only when something changed.
 *
 * <p>Every action is applied to this state as it is emitted, so the state always equals what the
 * actions will have written once committed. If a commit fails, the owner must throw this object
 * away and rebuild it from the compacted topics ({@link #restoreApp}, {@link #restoreTask},
 * {@link #restoreNode}, {@link #restoreNodeAdmin}, {@link #restoreVolume}).
 */
public final class SchedulerCore {
    private final SchedulerSettings settings;
    private final PlacementEngine engine;
    private final Cluster cluster = new Cluster();
    private final Map<String, AppState> apps = new LinkedHashMap<>();
    private final Map<String, TaskRecord> tasks = new HashMap<>();
    private final Map<String, Map<String, TaskRecord>> tasksByApp = new HashMap<>();
    private final Map<String, Map<String, TaskRecord>> tasksByNode = new HashMap<>();
    private final Backoffs backoffs = new Backoffs();
    private final TaskHistories histories;
    private final Map<String, AppQueue> queue = new HashMap<>();
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
    private final NodeLiveness liveness;
    private final StatefulVolumes volumes;
    private final StatefulReconciler stateful;
    private final StatelessReconciler stateless;
    private final NodeDrains drains;
    private final AppCommands commands;
    private final Deployments deployments;
    /** Set once the first input after a rebuild has taken up the launches that still wait for volumes. */
    private boolean resumed;

    public SchedulerCore(SchedulerSettings settings, PlacementEngine engine) {
        this.settings = settings;
        this.engine = engine;
        this.liveness = new NodeLiveness(settings, cluster);
        this.volumes = new StatefulVolumes(liveness);
        this.stateful = new StatefulReconciler(volumes, engine, cluster);
        this.stateless = new StatelessReconciler(engine, cluster);
        this.drains = new NodeDrains(cluster, engine, stateless, stateful);
        this.deployments = new Deployments(backoffs);
        this.commands = new AppCommands(volumes, stateful, backoffs);
        this.histories = new TaskHistories(settings.endedTasksKept());
    }

    // ---- rebuilding from the compacted topics -------------------------------------------------

    public void restoreApp(AppState app) {
        apps.put(app.appId(), app);
        deployments.remember(app.appId(), app.version(), app.definition());
        // Tasks read before their app were allocated without resources; count them properly now.
        List.copyOf(tasksByApp.getOrDefault(app.appId(), Map.of()).values()).forEach(this::index);
        // After a takeover every app is looked at once: the old leader may have stopped mid-way.
        unsettled.add(app.appId());
    }

    /** A deployment read while rebuilding: an unfinished one is carried on from where it was. */
    public void restoreDeployment(dev.berth.contracts.messages.Deployment deployment) {
        deployments.restore(deployment);
    }

    public void forgetDeployment(String deploymentId) {
        deployments.forget(deploymentId);
    }

    /** An app version read while rebuilding: the definitions rollbacks and old tasks need. */
    public void restoreVersion(dev.berth.contracts.messages.AppVersion version) {
        deployments.restoreVersion(version);
    }

    public void forgetVersion(String appId, long version) {
        deployments.forgetVersion(appId, version);
    }

    /** The deployment with that id, if kept. */
    public Optional<dev.berth.contracts.messages.Deployment> deployment(String deploymentId) {
        return deployments.find(deploymentId);
    }

    public void forgetApp(String appId) {
        apps.remove(appId);
        unsettled.remove(appId);
    }

    public void restoreTask(TaskRecord task) {
        index(task);
    }

    public void forgetTask(String taskId) {
        unindex(taskId);
    }

    /** A node report read during rebuild: its age counts from when it was written. */
    public void restoreNode(NodeReport report) {
        liveness.restored(report.nodeId(), report.occurredAt(), report.volumes().leaseMillis());
        cluster.putNode(info(report));
        stateful.nodesChanged();
    }

    /** A volume event read during rebuild: the latest snapshot per volume stands. */
    public void restoreVolume(VolumeEvent event) {
        volumes.observe(event.volume());
    }

    /** A tombstone on {@code berth.volume-events}. */
    public void forgetVolume(String volumeId) {
        volumes.forget(volumeId);
    }

    /** What became of an app's tasks, read while rebuilding: its failures and restarts count on. */
    public void restoreHistory(AppTaskHistory history) {
        histories.restore(history);
    }

    public void forgetHistory(String appId) {
        histories.forget(appId);
    }

    /** What became of an app's tasks, if any ended. */
    public Optional<AppTaskHistory> history(String appId) {
        return histories.of(appId);
    }

    /** What the previous leader said waits, so that entries of apps now settled can be withdrawn. */
    public void restoreQueue(AppQueue entry) {
        queue.put(entry.appId(), entry);
    }

    public void forgetQueue(String appId) {
        queue.remove(appId);
    }

    /** An operator's drain or undrain read during rebuild; the latest per node stands. */
    public void restoreNodeAdmin(NodeAdminCommand command) {
        drains.apply(command);
    }

    // ---- inputs ---------------------------------------------------------------------------------

    /**
     * An app command: decided by {@link AppCommands}, and answered with exactly one {@link Action.Reply},
     * after the actions that carry out what it accepted.
     */
    public List<Action> onAppCommand(AppCommand command, Instant now) {
        InputPlan plan = start(now);
        plan.reply(commands.handle(command, plan));
        return plan.actions;
    }

    public List<Action> onTaskStatus(TaskStatus status, Instant now) {
        InputPlan plan = start(now);
        TaskRecord task = tasks.get(status.taskId());
        if (task == null) {
            if (!status.state().isTerminal() && status.nodeId() != null) {
                // Something runs that no app wants (e.g. launched by a scheduler that was deposed).
                plan.send(KillTask.of(status.nodeId(), status.taskId(), settings.defaultKillGrace(),
                        "not known to the scheduler", status.id()));
            }
            return plan.actions;
        }
        if (bringsNothingNew(task, status)) {
            return plan.actions;
        }
        // Stamped with the agent's time of the observation, which its heartbeats are compared with.
        Instant observedAt = status.occurredAt() == null ? now : status.occurredAt();
        TaskRecord updated = task.observed(status.state(), status.reason(), status.exitCode(), status.health(),
                status.id(), observedAt);
        if (!status.state().isTerminal()) {
            plan.recordTask(updated);
            AppState app = apps.get(task.appId());
            // A replacement takes over once it counts (healthy, or running without checks), unless
            // canaries are tried beside their originals.
            boolean takesOver = status.state().isActive() && updated.replaces() != null && app != null
                    && deployments.countsUp(app, updated) && !deployments.limits(app, tasksOf(app.appId())).holdOld();
            if (takesOver) {
                takeOver(updated, plan);
            }
            if (status.state() == TaskState.UNHEALTHY && status.health() != null && status.health().exhausted()) {
                replaceUnhealthy(tasks.get(task.taskId()), status, plan);
            } else if (!takesOver && app != null && deployments.active(app.appId()).isPresent()) {
                // A deployment moves on as its new tasks get healthy.
                reconcileApp(app, plan);
            }
            return plan.actions;
        }
        plan.end(updated);
        // The agent reported it, so its node is there: its volumes are detached at once.
        volumes.taskEnded(task, false, plan);
        AppState app = apps.get(task.appId());
        if (app != null && task.desired() == DesiredState.RUN && status.state() != TaskState.LOST) {
            backOff(app, now);
            if (status.state() == TaskState.FAILED) {
                deployments.taskFailed(app, task, status.reason() == null ? "FAILED" : status.reason());
            }
        }
        if (app != null) {
            reconcileApp(app, plan);
        }
        return plan.actions;
    }

    /**
     * A live registration or heartbeat. The agent's list of running tasks is reconciled against the
     * records: what the node runs that no app wants is killed, and what should run there but has
     * vanished is taken as lost and replaced.
     */
    public List<Action> onNodeReport(NodeReport report, Instant now) {
        InputPlan plan = start(now);
        boolean firstHeard = liveness.heard(report.nodeId(), now, report.volumes().leaseMillis());
        boolean changed = cluster.putNode(info(report));
        if (changed) {
            stateful.nodesChanged();
        }
        boolean gainedNode = firstHeard || cluster.mode(report.nodeId()) == NodeAvailability.UNREACHABLE;
        if (gainedNode || changed) {
            capacityEpoch++;
        }
        if (gainedNode) {
            plan.announce(Announcements.nodeUp(report.nodeId(), report.host(), now));
        }
        cluster.setMode(report.nodeId(), drains.modeWhenReachable(report.nodeId()));

        Set<String> running = new HashSet<>(report.runningTaskIds());
        for (String taskId : report.runningTaskIds()) {
            TaskRecord known = tasks.get(taskId);
            if (known == null || !known.nodeId().equals(report.nodeId())) {
                plan.send(KillTask.of(report.nodeId(), taskId, settings.defaultKillGrace(),
                        "not known to the scheduler", report.id()));
            }
        }
        boolean lostAny = false;
        // Both times are the agent's: a heartbeat taken well after the task was seen running must
        // list it, however late either message reaches a busy scheduler.
        Instant reportedAt = report.occurredAt() == null ? now : report.occurredAt();
        for (TaskRecord task : List.copyOf(tasksOn(report.nodeId()))) {
            if (task.desired() == DesiredState.RUN && task.state().isActive() && !running.contains(task.taskId())
                    && task.runningSince() != null
                    && task.runningSince().plus(settings.missingTaskGrace()).isBefore(reportedAt)) {
                lose(task, "no longer running on " + report.nodeId(), false, plan);
                lostAny = true;
            }
        }
        if (gainedNode || lostAny) {
            // New or returning capacity: waiting instances may fit now.
            reconcileUnsettled(plan);
        }
        return plan.actions;
    }

    /** An operator drains a node (its tasks move away one at a time) or opens it again. */
    public List<Action> onNodeAdmin(NodeAdminCommand command, Instant now) {
        InputPlan plan = start(now);
        NodeAvailability before = cluster.mode(command.nodeId());
        boolean wasDrained = drains.apply(command);
        if (before == NodeAvailability.UNREACHABLE) {
            cluster.setMode(command.nodeId(), NodeAvailability.UNREACHABLE);
        }
        // A drain of a drained node (or undrain of an open one) changes nothing and says nothing.
        String host = cluster.node(command.nodeId()).map(NodeInfo::host).orElse(null);
        if (command instanceof UndrainNode && wasDrained) {
            plan.announce(Announcements.nodeUndrain(command.nodeId(), host, now));
        } else if (!(command instanceof UndrainNode) && !wasDrained) {
            plan.announce(Announcements.nodeDrain(command.nodeId(), host, now));
        }
        if (command instanceof UndrainNode && wasDrained) {
            capacityEpoch++;
            reconcileUnsettled(plan);
        }
        drains.progress(plan);
        return plan.actions;
    }

    /**
     * Periodic pass: nodes silent past the timeout are declared unreachable and their tasks lost;
     * backoffs of apps that stayed up are forgiven; drains move on; and every unsettled app
     * (waiting for room or a delay, restarting, deleting) is reconciled again.
     */
    public List<Action> onTick(Instant now) {
        InputPlan plan = start(now);
        for (NodeLiveness.Silenced silent : liveness.newlySilent(now)) {
            String nodeId = silent.nodeId();
            List<TaskRecord> lost = List.copyOf(tasksOn(nodeId));
            // A node already silent when this scheduler took over was announced down by the one before,
            // which lost its tasks then; it is announced again only if it still had tasks to lose.
            if (!silent.inherited() || !lost.isEmpty()) {
                plan.announce(Announcements.nodeDown(nodeId, cluster.node(nodeId).map(NodeInfo::host).orElse(null),
                        lost.size(), now));
            }
            for (TaskRecord task : lost) {
                lose(task, "node " + nodeId + " unreachable", true, plan);
            }
        }
        forgiveStableApps(plan);
        deployments.tick(plan);
        drains.progress(plan);
        reconcileUnsettled(plan);
        stateful.collectPending(plan);
        for (String appId : List.copyOf(queue.keySet())) {
            if (!apps.containsKey(appId)) {
                plan.removeQueue(appId);
            }
        }
        return plan.actions;
    }

    /**
     * A volume changed, as the volume service announces it. Older snapshots than the one held are
     * ignored (the service's outbox is published at least once). An ATTACHED for a task waiting for
     * that volume moves its launch on, and launches it once nothing is left to wait for; a refusal
     * ends the task as a failure; a local volume deleted is removed from its node.
     */
    public List<Action> onVolumeEvent(VolumeEvent event, Instant now) {
        InputPlan plan = start(now);
        if (event.volume() == null || !volumes.observe(event.volume())) {
            return plan.actions;
        }
        // A volume's binding or holder changed: an identity waiting on it may be placeable now.
        capacityEpoch++;
        stateful.volumeChanged(event, plan);
        String appId = event.volume().appId();
        AppState app = appId == null ? null : apps.get(appId);
        if (app != null && unsettled.contains(appId)) {
            reconcileApp(app, plan);
        } else if (appId != null) {
            volumes.collect(appId, app, tasksOf(appId), now, plan);
        }
        return plan.actions;
    }


    // ---- views for the edge and tests -----------------------------------------------------------

    public Optional<AppState> app(String appId) {
        return Optional.ofNullable(apps.get(appId));
    }

    public Collection<TaskRecord> tasks() {
        return List.copyOf(tasks.values());
    }

    public List<TaskRecord> tasksOf(String appId) {
        return tasksByApp.getOrDefault(appId, Map.of()).values().stream()
                .sorted(Comparator.comparingInt(TaskRecord::instance).thenComparing(TaskRecord::taskId))
                .toList();
    }

    /** Why instances of the app are still waiting for a node; empty when none wait for room. */
    public Map<String, Integer> unplacedReasons(String appId) {
        AppQueue entry = queue.get(appId);
        return entry == null ? Map.of() : entry.unplaced();
    }

    /** The app's place in the queue: what waits and why; empty when nothing of it waits. */
    public Optional<AppQueue> queued(String appId) {
        return Optional.ofNullable(queue.get(appId));
    }

    public NodeAvailability nodeMode(String nodeId) {
        return cluster.mode(nodeId);
    }

    /** The volume as the volume service last announced it. */
    public Optional<VolumeSnapshot> volume(String volumeId) {
        return volumes.volume(volumeId);
    }

    // ---- reconciliation -------------------------------------------------------------------------

    /**
     * The plan for one input. The first one after a rebuild also takes up the launches the previous
     * scheduler left waiting for volumes, and lets go of volumes no identity wants any more.
     */
    private InputPlan start(Instant now) {
        liveness.goLive(now);
        InputPlan plan = new InputPlan(now);
        if (!resumed) {
            resumed = true;
            stateful.resume(plan);
        }
        return plan;
    }

    private void reconcileUnsettled(InputPlan plan) {
        for (String appId : List.copyOf(unsettled)) {
            AppState app = apps.get(appId);
            if (app == null) {
                unsettled.remove(appId);
            } else {
                reconcileApp(app, plan);
            }
        }
    }

    private void reconcileApp(AppState app, InputPlan plan) {
        String appId = app.appId();
        List<TaskRecord> all = tasksOf(appId);
        if (app.deleting()) {
            deployments.reconciled(app, plan);
            all.stream().filter(t -> t.desired() == DesiredState.RUN).forEach(t -> plan.stop(t, "app deleted"));
            // Once its tasks have all ended (and detached), its volumes are released, or deleted by a wipe;
            // it is gone only when none waits for a lost node's lease, so that its state still says wipe.
            if (tasksByApp.getOrDefault(appId, Map.of()).isEmpty()
                    && volumes.collect(appId, app, List.of(), plan.now, plan)) {
                plan.removeApp(appId);
            } else {
                unsettled.add(appId);
            }
            return;
        }
        if (app.definition().isStateful()) {
            stateful.reconcile(app, plan);
        } else {
            stateless.reconcile(app, plan);
        }
        deployments.reconciled(apps.getOrDefault(appId, app), plan);
    }

    /**
     * What one pass over an app came to.
     *
     * @param waiting      instances not placed (waiting for room, a node, a lease or a delay)
     * @param reasons      why, counted
     * @param delayedUntil the end of the app's backoff, if it backs off
     * @param unplacedAny  a search found no room: not searched again until room may have appeared
     * @param keepVerdict  no search was made because the last one found no room: that verdict stands
     * @param underWay     something moves (a restart): the app is looked at again even if nothing waits
     */
    record Pass(int waiting, Map<String, Integer> reasons, Instant delayedUntil, boolean unplacedAny,
                boolean keepVerdict, boolean underWay) {
    }

    /** True when the app's last search found no room and nothing that could make room has happened since. */
    private boolean searchedInVain(String appId) {
        return Long.valueOf(capacityEpoch).equals(unplacedAtEpoch.get(appId));
    }

    /**
     * The same state again: a redelivery or a repeated report, unless it carries health detail the
     * record lacks (the UNHEALTHY that reaches {@code maxConsecutiveFailures} follows the first
     * UNHEALTHY and must not be lost).
     */
    private static boolean bringsNothingNew(TaskRecord task, TaskStatus status) {
        return task.state() == status.state()
                && (status.health() == null || status.health().equals(task.health()));
    }

    /**
     * A task whose health check failed {@code maxConsecutiveFailures} times in a row, Marathon's way:
     * it is killed and its instance relaunched, after the app's backoff as for any failure. It is
     * stopped (desired STOP) at once, so it no longer counts as an instance and reconciliation
     * places the replacement while the kill is under way; the KILLED status then only removes it,
     * without a second backoff. A task that is no longer wanted is being stopped already.
     */
    private void replaceUnhealthy(TaskRecord task, TaskStatus status, InputPlan plan) {
        AppState app = apps.get(task.appId());
        if (app == null || app.deleting() || task.desired() != DesiredState.RUN) {
            return;
        }
        plan.stop(task, healthFailure(status));
        // It fails now, though its end (the kill) is still to come and will be one that was asked for.
        histories.failed(TaskFailure.of(task.observed(TaskState.UNHEALTHY, healthFailure(status), null, null,
                plan.now), plan.now), status.id(), plan.now, plan::recordHistory);
        deployments.taskFailed(app, task, healthFailure(status));
        // A replacement already starting for it (a restart, a drain) now is the instance, rather than
        // leaving the instance to be placed a second time.
        for (TaskRecord t : List.copyOf(tasksByApp.getOrDefault(task.appId(), Map.of()).values())) {
            if (task.taskId().equals(t.replaces()) && t.desired() == DesiredState.RUN) {
                plan.recordTask(t.settled(status.id(), plan.now));
            }
        }
        backOff(app, plan.now);
        reconcileApp(app, plan);
    }

    /** The kill's reason: the agent's own when it gave one, so both say the same. */
    private static String healthFailure(TaskStatus status) {
        if (status.reason() != null && status.reason().startsWith(TaskStatus.HEALTH_CHECK_FAILED)) {
            return status.reason();
        }
        HealthReport health = status.health();
        return TaskStatus.HEALTH_CHECK_FAILED + ": health check " + health.checkIndex() + " failed "
                + health.consecutiveFailures() + " times in a row"
                + (health.lastResult() == null ? "" : " (" + health.lastResult() + ")");
    }

    /** A replacement runs: its original is stopped and it becomes an ordinary task of its instance. */
    private void takeOver(TaskRecord replacement, InputPlan plan) {
        TaskRecord original = tasks.get(replacement.replaces());
        if (original != null && original.desired() == DesiredState.RUN) {
            plan.stop(original, "replaced by " + replacement.taskId());
        }
        plan.recordTask(replacement.settled(replacement.id(), plan.now));
        AppState app = apps.get(replacement.appId());
        if (app != null) {
            reconcileApp(app, plan);
        }
        drains.progress(plan);
    }

    /**
     * A task whose node is gone ({@code nodeLost}), or that vanished from it: forgotten, killed if it
     * ever shows up, replaced. Its volumes are detached if its node is still there; from a lost node
     * they are taken only by a fence, once the node's lease has run out.
     */
    private void lose(TaskRecord task, String reason, boolean nodeLost, InputPlan plan) {
        // Recorded LOST first, so readers of berth.tasks see what happened before the tombstone.
        plan.recordTask(task.observed(TaskState.LOST, reason, null, null, plan.now));
        plan.removeTask(task.taskId());
        volumes.taskEnded(task, nodeLost, plan);
        // The node may come back: the kill waits in its command partition, and its heartbeat would
        // show the task as unknown anyway.
        plan.send(KillTask.of(task.nodeId(), task.taskId(), killGrace(task.appId()), "lost: " + reason,
                task.id()));
        if (apps.containsKey(task.appId())) {
            unsettled.add(task.appId());
        }
    }

    private void backOff(AppState app, Instant now) {
        backoffs.failed(app.appId(), app.definition(), now);
        unsettled.add(app.appId());
    }

    /** An app whose every instance has stayed up for a while since its last failure starts afresh. */
    private void forgiveStableApps(InputPlan plan) {
        Instant now = plan.now;
        Predicate<String> stable = appId -> {
            AppState app = apps.get(appId);
            if (app == null) {
                return true;
            }
            List<TaskRecord> wanted = tasksOf(app.appId()).stream()
                    .filter(t -> t.desired() == DesiredState.RUN).toList();
            return wanted.size() >= app.definition().instances() && wanted.stream().allMatch(t ->
                    t.runningSince() != null && !t.runningSince().plus(settings.backoffResetAfter()).isAfter(now));
        };
        backoffs.forgiveStable(now, stable);
        // The same judgement ends a run of failures; an app still waiting out a backoff has not stayed up.
        histories.settle(appId -> apps.containsKey(appId) && backoffs.delayedUntil(appId, now) == null
                && stable.test(appId), now, plan::recordHistory);
    }

    static TaskSpec spec(AppDefinition def, List<PortAssignment> ports, List<VolumeMount> mounts) {
        return new TaskSpec(def.cmd(), def.args(), def.env(), def.labels(), def.cpus(), def.mem(), def.disk(), ports,
                def.user(), def.healthChecks(), def.isolation(), mounts);
    }

    private int killGrace(String appId) {
        AppState app = apps.get(appId);
        return app == null ? settings.defaultKillGrace() : app.definition().taskKillGracePeriodSeconds();
    }

    private void publishQueue(String appId, int waiting, Map<String, Integer> reasons, Instant delayedUntil,
                              InputPlan plan) {
        AppQueue current = queue.get(appId);
        if (waiting == 0 && delayedUntil == null) {
            if (current != null) {
                plan.removeQueue(appId);
            }
            return;
        }
        AppQueue.Delay delay = delayedUntil == null ? null : delay(appId);
        if (current != null && current.waiting() == waiting && current.unplaced().equals(reasons)
                && Objects.equals(current.delayedUntil(), delayedUntil) && Objects.equals(current.delay(), delay)) {
            return;
        }
        plan.recordQueue(AppQueue.of(appId, waiting, reasons, delayedUntil,
                current == null ? plan.now : current.since(), delay));
    }

    /** Why the app backs off: its last failure and the wait it caused (null when no failure is known). */
    private AppQueue.Delay delay(String appId) {
        java.time.Duration wait = backoffs.delay(appId);
        return histories.of(appId).filter(h -> h.lastTaskFailure() != null)
                .map(h -> new AppQueue.Delay(h.lastTaskFailure(), h.failuresInARow(),
                        wait == null ? 0 : wait.toMillis() / 1000.0))
                .orElse(null);
    }

    private Collection<TaskRecord> tasksOn(String nodeId) {
        return tasksByNode.getOrDefault(nodeId, Map.of()).values();
    }

    private static NodeInfo info(NodeReport report) {
        return new NodeInfo(report.nodeId(), report.hostname(), report.host(), report.capacity(), report.ports(),
                report.attributes(), report.isolation(), Set.copyOf(report.volumes().providers()),
                report.confinement());
    }

    // ---- the indexes, kept in step with every record ---------------------------------------------

    private void index(TaskRecord task) {
        unindex(task.taskId());
        tasks.put(task.taskId(), task);
        tasksByApp.computeIfAbsent(task.appId(), a -> new LinkedHashMap<>()).put(task.taskId(), task);
        tasksByNode.computeIfAbsent(task.nodeId(), n -> new LinkedHashMap<>()).put(task.taskId(), task);
        AppState app = apps.get(task.appId());
        NodeResources resources = app == null ? NodeResources.NONE : new NodeResources(app.definition().cpus(),
                app.definition().mem(), app.definition().disk());
        cluster.allocate(new Cluster.Allocation(task.taskId(), task.appId(), task.nodeId(), resources,
                task.ports().stream().map(PortAssignment::port).toList()));
    }

    private void unindex(String taskId) {
        TaskRecord old = tasks.remove(taskId);
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

    /**
     * Collects actions and applies each one to the state as it is emitted. It is also what the stateful
     * rules see of this core for the input (its index, backoffs and queue), so they need no other handle.
     */
    private final class InputPlan implements Plan {
        final List<Action> actions = new ArrayList<>();
        final Instant now;

        InputPlan(Instant now) {
            this.now = now;
        }

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public void recordApp(AppState app) {
            recordApp(app, null);
        }

        @Override
        public void recordApp(AppState app, String change) {
            AppState before = apps.put(app.appId(), app);
            deployments.remember(app.appId(), app.version(), app.definition());
            // The app asks for something new (a command, a replacement): its placements are searched again.
            unplacedAtEpoch.remove(app.appId());
            actions.add(new Action.RecordApp(app));
            // Every new state goes through here, so no version is missing from the app's history.
            actions.addAll(AppVersions.recorded(before, app, change));
            // The public event names the same change as the version does.
            announce(before == null ? Announcements.appCreated(app, now)
                    : Announcements.appUpdated(before, app, change, now));
        }

        @Override
        public void reply(CommandReply reply) {
            actions.add(new Action.Reply(reply));
        }

        void removeApp(String appId) {
            AppState last = apps.remove(appId);
            unplacedAtEpoch.remove(appId);
            backoffs.forgive(appId);
            unsettled.remove(appId);
            actions.add(new Action.RemoveApp(appId));
            deployments.appRemoved(appId, this);
            if (last != null) {
                actions.addAll(AppVersions.removed(last));
                announce(Announcements.appDeleted(last, now));
            }
            stateful.appRemoved(appId);
            if (queue.containsKey(appId)) {
                removeQueue(appId);
            }
            if (histories.of(appId).isPresent()) {
                histories.forget(appId);
                actions.add(new Action.RemoveHistory(appId));
            }
        }

        @Override
        public void recordTask(TaskRecord task) {
            TaskRecord before = tasks.get(task.taskId());
            index(task);
            actions.add(new Action.RecordTask(task));
            announceChange(before, task);
        }

        /**
         * The task ended as {@code ended} says (an agent's final status): its end is announced and its
         * record removed. The end itself is not recorded: the tombstone follows at once.
         */
        void end(TaskRecord ended) {
            announceChange(tasks.get(ended.taskId()), ended);
            remember(ended);
            unindexedRemove(ended.taskId());
        }

        /** A task's final record joins its app's history; a failure if its app still wanted it running. */
        private void remember(TaskRecord last) {
            AppState app = apps.get(last.appId());
            histories.ended(last, TaskHistories.unwanted(last, app != null && !app.deleting()), last.id(), now,
                    this::recordHistory);
        }

        void recordHistory(AppTaskHistory history) {
            actions.add(new Action.RecordHistory(history));
        }

        /** Announces the task's new state and health verdict, if they changed. */
        private void announceChange(TaskRecord before, TaskRecord after) {
            Announcements.taskState(before, after, now).ifPresent(this::announce);
            Announcements.taskHealth(before, after, now).ifPresent(this::announce);
        }

        void announce(CloudEvent event) {
            actions.add(new Action.Announce(event));
        }

        /**
         * Removes a task. One recorded in an end state just before (lost, or failed before it launched)
         * joins its app's history with that end.
         */
        @Override
        public void removeTask(String taskId) {
            TaskRecord gone = tasks.get(taskId);
            if (gone != null && gone.state().isTerminal()) {
                remember(gone);
            }
            unindexedRemove(taskId);
        }

        private void unindexedRemove(String taskId) {
            TaskRecord gone = tasks.get(taskId);
            unindex(taskId);
            capacityEpoch++;
            actions.add(new Action.RemoveTask(taskId));
            if (gone != null) {
                // Its replacement, if one was starting, now is the instance.
                for (TaskRecord t : List.copyOf(tasksByApp.getOrDefault(gone.appId(), Map.of()).values())) {
                    if (taskId.equals(t.replaces())) {
                        recordTask(t.settled(gone.id(), now));
                    }
                }
            }
        }

        void recordQueue(AppQueue entry) {
            queue.put(entry.appId(), entry);
            actions.add(new Action.RecordQueue(entry));
        }

        void removeQueue(String appId) {
            queue.remove(appId);
            actions.add(new Action.RemoveQueue(appId));
        }

        @Override
        public void send(NodeCommand command) {
            actions.add(new Action.SendToNode(command));
        }

        @Override
        public void send(VolumeCommand command) {
            actions.add(new Action.SendToVolumes(command));
        }

        @Override
        public Optional<AppState> app(String appId) {
            return SchedulerCore.this.app(appId);
        }

        @Override
        public List<TaskRecord> tasksOf(String appId) {
            return SchedulerCore.this.tasksOf(appId);
        }

        @Override
        public Optional<TaskRecord> task(String taskId) {
            return Optional.ofNullable(tasks.get(taskId));
        }

        @Override
        public Collection<TaskRecord> tasks() {
            return SchedulerCore.this.tasks();
        }

        @Override
        public void stop(TaskRecord task, String reason) {
            if (!task.awaitingVolumes().isEmpty()) {
                // Never launched (its volumes were still being attached): nothing runs on the node to kill.
                // It ends here, and what was attached for it is detached.
                recordTask(task.wanting(DesiredState.STOP, null, now)
                        .observed(TaskState.KILLED, reason, null, null, now));
                removeTask(task.taskId());
                volumes.taskEnded(task, false, this);
                return;
            }
            TaskRecord stopping = task.wanting(DesiredState.STOP, null, now);
            recordTask(stopping);
            send(KillTask.of(task.nodeId(), task.taskId(), killGrace(task.appId()), reason, stopping.id()));
        }

        @Override
        public void reconcile(AppState app) {
            reconcileApp(app, this);
        }

        @Override
        public Instant delayedUntil(String appId) {
            return backoffs.delayedUntil(appId, now);
        }

        @Override
        public void backOff(AppState app) {
            SchedulerCore.this.backOff(app, now);
        }

        @Override
        public boolean searchedInVain(String appId) {
            return SchedulerCore.this.searchedInVain(appId);
        }

        @Override
        public Map<String, Integer> unplacedReasons(String appId) {
            return SchedulerCore.this.unplacedReasons(appId);
        }

        /** The app's queue entry, whether it is searched again, and whether it is looked at on every tick. */
        @Override
        public void conclude(String appId, Pass pass) {
            if (pass.unplacedAny()) {
                unplacedAtEpoch.put(appId, capacityEpoch);
            } else if (!pass.keepVerdict()) {
                unplacedAtEpoch.remove(appId);
            }
            // What a drain cannot move of the app waits too, and says why.
            Optional<NodeDrains.Blocked> drain = drains.blocked(appId);
            int waiting = pass.waiting() + drain.map(NodeDrains.Blocked::tasks).orElse(0);
            Map<String, Integer> reasons = new TreeMap<>(pass.reasons());
            drain.ifPresent(d -> d.reasons().forEach((r, n) -> reasons.merge(r, n, Math::max)));
            publishQueue(appId, waiting, reasons, pass.delayedUntil(), this);
            if (waiting > 0 || pass.delayedUntil() != null || pass.underWay()) {
                unsettled.add(appId);
            } else {
                unsettled.remove(appId);
            }
        }

        @Override
        public Instant unreachableSince(String nodeId) {
            return liveness.unreachableSince(nodeId);
        }

        @Override
        public Collection<TaskRecord> tasksOn(String nodeId) {
            return SchedulerCore.this.tasksOn(nodeId);
        }

        @Override
        public void unsettle(String appId) {
            unsettled.add(appId);
        }

        @Override
        public long capacityEpoch() {
            return capacityEpoch;
        }

        @Override
        public Deployments deployments() {
            return deployments;
        }

        @Override
        public void recordDeployment(dev.berth.contracts.messages.Deployment before,
                                     dev.berth.contracts.messages.Deployment after) {
            actions.add(new Action.RecordDeployment(after));
            Announcements.deployment(before, after, now).ifPresent(this::announce);
        }

        @Override
        public void removeDeployment(String deploymentId) {
            actions.add(new Action.RemoveDeployment(deploymentId));
        }
    }
}
