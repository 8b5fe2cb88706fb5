package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeAvailability;
import dev.berth.scheduler.placement.PlacementEngine;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The scheduler's decisions, as plain Java: it turns each input (an app command, a task status, a node
 * report, an operator's drain, a volume event, the passing of time) into a list of {@link Action}s, and
 * is only the dispatcher of those inputs and the loop that reconciles apps. Nomad's split is the model:
 * <ul>
 *   <li>each input's own rules ({@link AppCommands}, {@link TaskStatuses}, {@link NodeEvents},
 *       {@link VolumeHandshakes}, {@link Deployments}, {@link NodeDrains}) read a
 *       {@link SchedulerView}, make {@link Changes}, and mark the apps whose tasks should change as
 *       touched, never reconciling them themselves;</li>
 *   <li>the core then reconciles each touched app once (reconcileTouched), by
 *       {@link StatelessReconciler} or, for an app with volumes, {@link StatefulReconciler}, which sort
 *       its tasks into what to place, stop and replace, placing through the {@link PlacementEngine};</li>
 *   <li>the changes are applied to the {@link SchedulerState} as they are made and come out as the
 *       actions of one {@link InputPlan}, which the edge commits in one transaction.</li>
 * </ul>
 *
 * <p>Since every action is applied to the state as it is emitted, the state always equals what the
 * actions will have written once committed. If a commit fails, the owner must throw this object away
 * and rebuild it from the compacted topics through {@link #restore()}.
 */
public final class SchedulerCore {
    /**
     * At most this many passes over one app per input. A rule that touches the app being reconciled
     * (an automatic rollback when the pass finds its deployment failed) has it looked at again in the
     * next round; the bound only makes sure that a rule touching its app on every pass cannot loop
     * for ever: such an app is left unsettled, for the next tick.
     */
    private static final int MOST_PASSES_PER_INPUT = 4;

    private final SchedulerState state;
    private final Backoffs backoffs = new Backoffs();
    private final TaskHistories histories;
    private final NodeLiveness liveness;
    private final StatefulVolumes volumes;
    private final VolumeHandshakes handshakes;
    private final StatefulReconciler stateful;
    private final StatelessReconciler stateless;
    private final NodeDrains drains;
    private final Deployments deployments;
    private final AppCommands commands;
    private final TaskStatuses statuses;
    private final NodeEvents nodes;
    private final StateRestore restore;
    private final InputPlan.Parts parts;
    private final SchedulerSettings settings;
    /** Set once the first input after a rebuild has taken up the launches that still wait for volumes. */
    private boolean resumed;
    /** Told of every pass over an app; tests count them. */
    private Consumer<String> passWatcher = appId -> { };

    public SchedulerCore(SchedulerSettings settings, PlacementEngine engine) {
        Cluster cluster = new Cluster();
        this.settings = settings;
        this.state = new SchedulerState(cluster);
        this.histories = new TaskHistories(settings.endedTasksKept());
        this.liveness = new NodeLiveness(settings, cluster);
        this.volumes = new StatefulVolumes(liveness);
        this.deployments = new Deployments(backoffs);
        this.handshakes = new VolumeHandshakes(volumes);
        this.stateful = new StatefulReconciler(volumes, handshakes, engine, cluster, deployments);
        this.stateless = new StatelessReconciler(engine, cluster, deployments);
        this.drains = new NodeDrains(cluster, engine, stateless, stateful);
        this.commands = new AppCommands(volumes, stateful, backoffs, deployments);
        this.statuses = new TaskStatuses(settings, state, deployments, volumes, histories);
        this.nodes = new NodeEvents(settings, state, liveness, volumes, stateful, drains);
        RouteClaims routes = new RouteClaims();
        this.restore = new StateRestore(state, deployments, histories, liveness, volumes, stateful, drains, routes);
        this.parts = new InputPlan.Parts(settings, state, backoffs, histories, deployments, volumes, stateful, drains, routes,
                liveness);
    }

    /** Where the records of the compacted topics are put back, while this core is rebuilt. */
    public StateRestore restore() {
        return restore;
    }

    // ---- inputs ---------------------------------------------------------------------------------

    /**
     * An app command: decided by {@link AppCommands}, and answered with exactly one {@link Action.Reply},
     * after the actions that carry out what it accepted.
     */
    public List<Action> onAppCommand(AppCommand command, Instant now) {
        InputPlan plan = start(now);
        CommandReply reply = commands.handle(command, plan, plan);
        reconcileTouched(plan);
        plan.reply(reply);
        return plan.actions();
    }

    /** An agent's word on one task (see {@link TaskStatuses}). */
    public List<Action> onTaskStatus(TaskStatus status, Instant now) {
        InputPlan plan = start(now);
        boolean tookOver = statuses.apply(status, plan);
        reconcileTouched(plan);
        if (tookOver) {
            // The replacement may have been a drain's move: the next one may start.
            drains.progress(plan, plan);
        }
        return plan.actions();
    }

    /** A live registration or heartbeat (see {@link NodeEvents#reported}). */
    public List<Action> onNodeReport(NodeReport report, Instant now) {
        InputPlan plan = start(now);
        if (nodes.reported(report, plan)) {
            // New or returning capacity: waiting instances may fit now.
            touchUnsettled(plan);
        }
        reconcileTouched(plan);
        return plan.actions();
    }

    /** An operator drains a node (its tasks move away one at a time) or opens it again. */
    public List<Action> onNodeAdmin(NodeAdminCommand command, Instant now) {
        InputPlan plan = start(now);
        if (nodes.administered(command, plan)) {
            touchUnsettled(plan);
        }
        reconcileTouched(plan);
        drains.progress(plan, plan);
        return plan.actions();
    }

    /**
     * Periodic pass: nodes silent past the timeout are declared unreachable and their tasks lost;
     * backoffs of apps that stayed up are forgiven; deployments past their deadline fail; drains move
     * on; and every unsettled app (waiting for room or a delay, restarting, deleting) is reconciled again.
     */
    public List<Action> onTick(Instant now) {
        InputPlan plan = start(now);
        nodes.silenced(plan);
        // Tasks of routed apps whose drain is over are killed now (InputPlan.stop held their kill back).
        state.drainedBy(now).forEach(plan::killDrained);
        forgiveStableApps(plan);
        deployments.tick(plan, plan);
        // An app rolled back for missing its deadline is reconciled before the drains move on.
        reconcileTouched(plan);
        drains.progress(plan, plan);
        touchUnsettled(plan);
        reconcileTouched(plan);
        handshakes.collectPending(plan, plan);
        for (String appId : state.queuedApps()) {
            if (!state.hasApp(appId)) {
                plan.removeQueue(appId);
            }
        }
        return plan.actions();
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
            return plan.actions();
        }
        // A volume's binding or holder changed: an identity waiting on it may be placeable now.
        state.capacityGrew();
        handshakes.volumeChanged(event, plan, plan);
        // The app of a task whose attach was refused first, then the volume's own app, if not the same.
        reconcileTouched(plan);
        String appId = event.volume().appId();
        AppState app = appId == null ? null : state.app(appId);
        if (appId == null || plan.passedOver(appId)) {
            return plan.actions();
        }
        if (app != null && state.isUnsettled(appId)) {
            plan.touch(appId);
            reconcileTouched(plan);
        } else {
            volumes.collect(appId, app, state.tasksOf(appId), now, plan);
        }
        return plan.actions();
    }

    // ---- views for the edge and tests -----------------------------------------------------------

    public Optional<AppState> app(String appId) {
        return Optional.ofNullable(state.app(appId));
    }

    /** Every app the scheduler holds, deleting ones included; a copy. */
    public Collection<AppState> apps() {
        return state.apps();
    }

    public Collection<TaskRecord> tasks() {
        return state.tasks();
    }

    public List<TaskRecord> tasksOf(String appId) {
        return state.tasksOf(appId);
    }

    public Optional<TaskRecord> task(String taskId) {
        return Optional.ofNullable(state.task(taskId));
    }

    /** Why instances of the app are still waiting for a node; empty when none wait for room. */
    public Map<String, Integer> unplacedReasons(String appId) {
        return state.unplacedReasons(appId);
    }

    /** The app's place in the queue: what waits and why; empty when nothing of it waits. */
    public Optional<AppQueue> queued(String appId) {
        return state.queued(appId);
    }

    public NodeAvailability nodeMode(String nodeId) {
        return state.cluster().mode(nodeId);
    }

    /** Every registered node's availability (READY, DRAINING, UNREACHABLE), one entry per node; a copy. */
    public List<NodeAvailability> nodeModes() {
        List<NodeAvailability> modes = new java.util.ArrayList<>(state.cluster().nodeCount());
        state.cluster().nodes().forEach(node -> modes.add(state.cluster().mode(node.nodeId())));
        return modes;
    }

    /** The volume as the volume service last announced it. */
    public Optional<VolumeSnapshot> volume(String volumeId) {
        return volumes.volume(volumeId);
    }

    /** What became of an app's tasks, if any ended. */
    public Optional<AppTaskHistory> history(String appId) {
        return histories.of(appId);
    }

    /** The deployment with that id, if kept. */
    public Optional<Deployment> deployment(String deploymentId) {
        return deployments.find(deploymentId);
    }

    /** For tests: {@code watcher} is told the app id of every pass over an app. */
    void watchPasses(Consumer<String> watcher) {
        this.passWatcher = watcher;
    }

    // ---- reconciliation -------------------------------------------------------------------------

    /**
     * The plan for one input. The first one after a rebuild also takes up the launches the previous
     * scheduler left waiting for volumes, and lets go of volumes no identity wants any more.
     */
    private InputPlan start(Instant now) {
        liveness.goLive(now);
        InputPlan plan = new InputPlan(parts, now);
        if (!resumed) {
            resumed = true;
            handshakes.resume(plan, plan);
        }
        return plan;
    }

    /** The unsettled apps this input has not reconciled yet are touched: their pass comes. */
    private void touchUnsettled(InputPlan plan) {
        state.unsettledApps().stream().filter(appId -> !plan.passedOver(appId)).forEach(plan::touch);
    }

    /**
     * Reconciles every touched app, once per round, in the order they were touched: a pass may touch
     * apps again (a rollback of a deployment it found failed), and those are reconciled in the next
     * round, until a round touches none. An input calls it once its rules are done, or after each
     * stage of them whose changes the next stage should see (the tick's deadlines before its drains);
     * an app is reconciled again in the same input only if something touched it after its pass.
     */
    private void reconcileTouched(InputPlan plan) {
        for (List<String> round = plan.takeTouched(); !round.isEmpty(); round = plan.takeTouched()) {
            for (String appId : round) {
                AppState app = state.app(appId);
                if (app == null) {
                    continue;
                }
                if (plan.countPass(appId) > MOST_PASSES_PER_INPUT) {
                    state.unsettle(appId);
                    continue;
                }
                reconcile(app, plan);
            }
        }
    }

    private void reconcile(AppState app, InputPlan plan) {
        String appId = app.appId();
        passWatcher.accept(appId);
        if (app.deleting()) {
            deployments.reconciled(app, plan, plan);
            state.tasksOf(appId).stream().filter(t -> t.desired() == DesiredState.RUN)
                    .forEach(t -> plan.stop(t, "app deleted"));
            // Once its tasks have all ended (and detached), its volumes are released, or deleted by a wipe;
            // it is gone only when none waits for a lost node's lease, so that its state still says wipe.
            if (!state.hasTasks(appId) && volumes.collect(appId, app, List.of(), plan.now(), plan)) {
                plan.removeApp(appId);
            } else {
                state.unsettle(appId);
            }
            return;
        }
        if (app.definition().isStateful()) {
            stateful.reconcile(app, plan, plan);
        } else {
            stateless.reconcile(app, plan, plan);
        }
        AppState now = state.app(appId);
        deployments.reconciled(now == null ? app : now, plan, plan);
    }

    /** An app whose every instance has stayed up for a while since its last failure starts afresh. */
    private void forgiveStableApps(InputPlan plan) {
        Instant now = plan.now();
        Predicate<String> stable = appId -> {
            AppState app = state.app(appId);
            if (app == null) {
                return true;
            }
            List<TaskRecord> wanted = state.tasksOf(app.appId()).stream()
                    .filter(t -> t.desired() == DesiredState.RUN).toList();
            return wanted.size() >= app.definition().instances() && wanted.stream().allMatch(t ->
                    t.runningSince() != null && !t.runningSince().plus(settings.backoffResetAfter()).isAfter(now));
        };
        backoffs.forgiveStable(now, stable);
        // The same judgement ends a run of failures; an app still waiting out a backoff has not stayed up.
        histories.settle(appId -> state.hasApp(appId) && backoffs.delayedUntil(appId, now) == null
                && stable.test(appId), now, plan::recordHistory);
    }
}
