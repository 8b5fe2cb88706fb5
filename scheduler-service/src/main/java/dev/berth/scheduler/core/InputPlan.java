package dev.berth.scheduler.core;

import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.VolumeCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The plan of one input: the one object behind both the {@link SchedulerView} and the {@link Changes}
 * that the rules get for it, so that each change is applied to the {@link SchedulerState} as it is made
 * (later rules see it) and appended as an {@link Action} in the order it was made (a task's record
 * before its launch, an announcement next to the record it announces). It also keeps the apps touched
 * for {@link SchedulerCore}'s reconcile loop, and offers the core a few changes no rule makes
 * ({@link #end}, {@link #removeApp}, {@link #announce} …).
 */
final class InputPlan implements SchedulerView, Changes {
    /** What the plan needs of the core's parts: the state it changes and the books kept beside it. */
    record Parts(SchedulerSettings settings, SchedulerState state, Backoffs backoffs, TaskHistories histories,
                 Deployments deployments, StatefulVolumes volumes, StatefulReconciler stateful, NodeDrains drains,
                 RouteClaims routes,
                 NodeLiveness liveness) {
    }

    private final Parts parts;
    private final SchedulerState state;
    private final Instant now;
    private final List<Action> actions = new ArrayList<>();
    private final Set<String> touched = new LinkedHashSet<>();
    /** How many passes over each app this input made so far. */
    private final Map<String, Integer> passes = new HashMap<>();

    InputPlan(Parts parts, Instant now) {
        this.parts = parts;
        this.state = parts.state();
        this.now = now;
    }

    /** The actions decided, in the order they were decided. */
    List<Action> actions() {
        return actions;
    }

    /** The apps touched since the last call, in the order they were first touched; cleared. */
    List<String> takeTouched() {
        List<String> taken = List.copyOf(touched);
        touched.clear();
        return taken;
    }

    /** Counts a pass over the app, and returns how many this input made, this one included. */
    int countPass(String appId) {
        return passes.merge(appId, 1, Integer::sum);
    }

    /** Whether this input has reconciled the app already. */
    boolean passedOver(String appId) {
        return passes.containsKey(appId);
    }

    // ---- the view --------------------------------------------------------------------------------------

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public Optional<AppState> app(String appId) {
        return Optional.ofNullable(state.app(appId));
    }

    @Override
    public List<TaskRecord> tasksOf(String appId) {
        return state.tasksOf(appId);
    }

    @Override
    public Optional<TaskRecord> task(String taskId) {
        return Optional.ofNullable(state.task(taskId));
    }

    @Override
    public Collection<TaskRecord> tasks() {
        return state.tasks();
    }

    @Override
    public Collection<TaskRecord> tasksOn(String nodeId) {
        return state.tasksOn(nodeId);
    }

    @Override
    public Instant delayedUntil(String appId) {
        return parts.backoffs().delayedUntil(appId, now);
    }

    @Override
    public boolean searchedInVain(String appId) {
        return state.searchedInVain(appId);
    }

    @Override
    public Map<String, Integer> unplacedReasons(String appId) {
        return state.unplacedReasons(appId);
    }

    @Override
    public Instant unreachableSince(String nodeId) {
        return parts.liveness().unreachableSince(nodeId);
    }

    @Override
    public long capacityEpoch() {
        return state.capacityEpoch();
    }

    // ---- apps --------------------------------------------------------------------------------------------

    @Override
    public void recordApp(AppState app) {
        recordApp(app, null);
    }

    @Override
    public void recordApp(AppState app, String change) {
        AppState before = state.putApp(app);
        parts.deployments().remember(app.appId(), app.version(), app.definition());
        // The app asks for something new (a command, a replacement): its placements are searched again.
        state.searchAgain(app.appId());
        actions.add(new Action.RecordApp(app));
        // Every new state goes through here, so no version is missing from the app's history.
        actions.addAll(AppVersions.recorded(before, app, change));
        // The public event names the same change as the version does.
        announce(before == null ? Announcements.appCreated(app, now)
                : Announcements.appUpdated(before, app, change, now));
        // The routes its labels claim, decided with the state they come from (one transaction).
        recordRoutes(parts.routes().recorded(app, state::app, app.id(), now));
    }

    private void recordRoutes(RouteClaims.Decided decided) {
        decided.recorded().forEach(routes -> actions.add(new Action.RecordRoutes(routes)));
        decided.removed().forEach(appId -> actions.add(new Action.RemoveRoutes(appId)));
    }

    /** The deleted app is gone, with everything recorded of it. */
    void removeApp(String appId) {
        AppState last = state.removeApp(appId);
        state.searchAgain(appId);
        parts.backoffs().forgive(appId);
        state.settle(appId);
        actions.add(new Action.RemoveApp(appId));
        recordRoutes(parts.routes().removed(appId, state::app, last == null ? null : last.id(), now));
        parts.deployments().appRemoved(appId, this);
        if (last != null) {
            actions.addAll(AppVersions.removed(last));
            announce(Announcements.appDeleted(last, now));
        }
        parts.stateful().appRemoved(appId);
        if (state.queued(appId).isPresent()) {
            removeQueue(appId);
        }
        if (parts.histories().of(appId).isPresent()) {
            parts.histories().forget(appId);
            actions.add(new Action.RemoveHistory(appId));
        }
    }

    @Override
    public void touch(String appId) {
        touched.add(appId);
    }

    @Override
    public void unsettle(String appId) {
        state.unsettle(appId);
    }

    @Override
    public void backOff(AppState app) {
        parts.backoffs().failed(app.appId(), app.definition(), now);
        state.unsettle(app.appId());
    }

    @Override
    public void reply(CommandReply reply) {
        actions.add(new Action.Reply(reply));
    }

    // ---- tasks -------------------------------------------------------------------------------------------

    @Override
    public void recordTask(TaskRecord task) {
        TaskRecord before = state.task(task.taskId());
        state.index(task);
        actions.add(new Action.RecordTask(task));
        announceChange(before, task);
    }

    /**
     * The task ended as {@code ended} says (an agent's final status): its end is announced and its
     * record removed. The end itself is not recorded: the tombstone follows at once.
     */
    void end(TaskRecord ended) {
        announceChange(state.task(ended.taskId()), ended);
        remember(ended);
        unindexedRemove(ended.taskId());
    }

    /**
     * Removes a task. One recorded in an end state just before (lost, or failed before it launched)
     * joins its app's history with that end.
     */
    @Override
    public void removeTask(String taskId) {
        TaskRecord gone = state.task(taskId);
        if (gone != null && gone.state().isTerminal()) {
            remember(gone);
        }
        unindexedRemove(taskId);
    }

    private void unindexedRemove(String taskId) {
        TaskRecord gone = state.task(taskId);
        state.unindex(taskId);
        state.capacityGrew();
        actions.add(new Action.RemoveTask(taskId));
        if (gone != null) {
            // Its replacement, if one was starting, now is the instance.
            for (TaskRecord t : state.tasksOfInIndexOrder(gone.appId())) {
                if (taskId.equals(t.replaces())) {
                    recordTask(t.settled(gone.id(), now));
                }
            }
        }
    }

    @Override
    public void stop(TaskRecord task, String reason) {
        if (!task.awaitingVolumes().isEmpty()) {
            // Never launched (its volumes were still being attached): nothing runs on the node to kill.
            // It ends here, and what was attached for it is detached.
            recordTask(task.wanting(DesiredState.STOP, null, now)
                    .observed(TaskState.KILLED, reason, null, null, now));
            removeTask(task.taskId());
            parts.volumes().taskEnded(task, false, this);
            return;
        }
        if (task.drainUntil() != null) {
            return; // already draining: its kill is sent when the drain is over
        }
        int drain = drainSeconds(task);
        if (drain > 0) {
            // Routed: the routers stop sending it requests now; the ones it has get the drain to finish.
            recordTask(task.draining(now.plusSeconds(drain), reason, null, now));
            return;
        }
        TaskRecord stopping = task.wanting(DesiredState.STOP, null, now);
        recordTask(stopping);
        send(KillTask.of(task.nodeId(), task.taskId(), killGrace(task.appId()), reason, stopping.id()));
    }

    /** A drained task's drain is over: its kill is sent now, with the reason it was stopped for. */
    void killDrained(TaskRecord task) {
        TaskRecord killing = task.drained(null, now);
        recordTask(killing);
        send(KillTask.of(task.nodeId(), task.taskId(), killGrace(task.appId()),
                task.reason() == null ? "stopped after its drain" : task.reason(), killing.id()));
    }

    /**
     * How long the routers drain a task before it is killed: its app's {@code BERTH_ROUTE_DRAIN_SECONDS}
     * when a route of the app is served and the task may be serving it; 0 otherwise (killed at once).
     */
    private int drainSeconds(TaskRecord task) {
        return parts.routes().of(task.appId())
                .filter(routes -> routes.anyActive() && task.state().isActive())
                .map(dev.berth.contracts.messages.AppRoutes::drainSeconds).orElse(0);
    }

    /** The grace a kill of the app's task gives it. */
    int killGrace(String appId) {
        AppState app = state.app(appId);
        return app == null ? parts.settings().defaultKillGrace() : app.definition().taskKillGracePeriodSeconds();
    }

    // ---- history -------------------------------------------------------------------------------------------

    /** A task's final record joins its app's history; a failure if its app still wanted it running. */
    private void remember(TaskRecord last) {
        AppState app = state.app(last.appId());
        parts.histories().ended(last, TaskHistories.unwanted(last, app != null && !app.deleting()), last.id(), now,
                this::recordHistory);
    }

    void recordHistory(AppTaskHistory history) {
        actions.add(new Action.RecordHistory(history));
    }

    // ---- announcements and commands ---------------------------------------------------------------------

    /** Announces the task's new state and health verdict, if they changed. */
    private void announceChange(TaskRecord before, TaskRecord after) {
        Announcements.taskState(before, after, now).ifPresent(this::announce);
        Announcements.taskHealth(before, after, now).ifPresent(this::announce);
    }

    void announce(CloudEvent event) {
        actions.add(new Action.Announce(event));
    }

    @Override
    public void send(NodeCommand command) {
        actions.add(new Action.SendToNode(command));
    }

    @Override
    public void send(VolumeCommand command) {
        actions.add(new Action.SendToVolumes(command));
    }

    // ---- deployments -----------------------------------------------------------------------------------

    @Override
    public void recordDeployment(Deployment before, Deployment after) {
        actions.add(new Action.RecordDeployment(after));
        Announcements.deployment(before, after, now).ifPresent(this::announce);
    }

    @Override
    public void removeDeployment(String deploymentId) {
        actions.add(new Action.RemoveDeployment(deploymentId));
    }

    // ---- the queue -------------------------------------------------------------------------------------

    /** The app's queue entry, whether it is searched again, and whether it is looked at on every tick. */
    @Override
    public void conclude(String appId, Pass pass) {
        if (pass.unplacedAny()) {
            state.searchFailed(appId);
        } else if (!pass.keepVerdict()) {
            state.searchAgain(appId);
        }
        // What a drain cannot move of the app waits too, and says why.
        Optional<NodeDrains.Blocked> drain = parts.drains().blocked(appId);
        int waiting = pass.waiting() + drain.map(NodeDrains.Blocked::tasks).orElse(0);
        Map<String, Integer> reasons = new TreeMap<>(pass.reasons());
        drain.ifPresent(d -> d.reasons().forEach((r, n) -> reasons.merge(r, n, Math::max)));
        publishQueue(appId, waiting, reasons, pass.delayedUntil());
        if (waiting > 0 || pass.delayedUntil() != null || pass.underWay()) {
            state.unsettle(appId);
        } else {
            state.settle(appId);
        }
    }

    private void publishQueue(String appId, int waiting, Map<String, Integer> reasons, Instant delayedUntil) {
        AppQueue current = state.queued(appId).orElse(null);
        if (waiting == 0 && delayedUntil == null) {
            if (current != null) {
                removeQueue(appId);
            }
            return;
        }
        AppQueue.Delay delay = delayedUntil == null ? null : delay(appId);
        if (current != null && current.waiting() == waiting && current.unplaced().equals(reasons)
                && Objects.equals(current.delayedUntil(), delayedUntil) && Objects.equals(current.delay(), delay)) {
            return;
        }
        recordQueue(AppQueue.of(appId, waiting, reasons, delayedUntil, current == null ? now : current.since(),
                delay));
    }

    /** Why the app backs off: its last failure and the wait it caused (null when no failure is known). */
    private AppQueue.Delay delay(String appId) {
        Duration wait = parts.backoffs().delay(appId);
        return parts.histories().of(appId).filter(h -> h.lastTaskFailure() != null)
                .map(h -> new AppQueue.Delay(h.lastTaskFailure(), h.failuresInARow(),
                        wait == null ? 0 : wait.toMillis() / 1000.0))
                .orElse(null);
    }

    private void recordQueue(AppQueue entry) {
        state.putQueue(entry);
        actions.add(new Action.RecordQueue(entry));
    }

    void removeQueue(String appId) {
        state.removeQueue(appId);
        actions.add(new Action.RemoveQueue(appId));
    }
}
