package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.KillSelection;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeInfo;
import dev.berth.scheduler.placement.NodeMode;
import dev.berth.scheduler.placement.PlacementEngine;
import dev.berth.scheduler.placement.PlacementResult;
import dev.berth.scheduler.placement.TaskRequest;

import java.time.Duration;
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
import java.util.TreeSet;

/**
 * The scheduler's decisions, as plain Java: it holds the desired state of every app, the record of
 * every task and the latest word from every node, and turns each input (an app command, a task
 * status, a node report, an operator's drain, the passing of time) into a list of {@link Action}s.
 *
 * <p>Each app is reconciled the same way whatever woke it up: its wanted instances (tasks that
 * should run and replace no other) are compared with {@code instances}; the surplus is stopped,
 * the missing are placed in one batch (unless a failing app is backing off), and tasks launched for
 * an older configuration are replaced. A replacement (restart, drain) is started beside its
 * original, which is stopped only once the replacement runs. A task whose health checks have failed
 * too often in a row is stopped and its instance relaunched after the app's backoff, as a failure is.
 *
 * <p>A stateful app (one with volumes) is reconciled by identity instead ({@code db-0}, {@code db-1}):
 * each identity owns its volumes, is launched only once the volume service attached them, returns to
 * the node its local volume lives on, and has its external volumes fenced before they follow it to
 * another node; see {@link #reconcileStatefulApp} and {@link StatefulVolumes}.
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
    /** When each node was last heard from; sorted so every pass over nodes is deterministic. */
    private final Map<String, Instant> lastHeard = new TreeMap<>();
    private final Set<String> drained = new TreeSet<>();
    private final Map<String, Backoff> backoffs = new HashMap<>();
    private final Map<String, AppQueue> queue = new HashMap<>();
    /** Why a draining node's next task found no other node, per app; counted as waiting in the queue. */
    private final Map<String, Map<String, Integer>> drainBlocked = new HashMap<>();
    /**
     * Grows whenever room may have appeared (a task ended, a node joined, returned, grew or was
     * undrained). A placement that failed at the current epoch would fail again, so an app (or a
     * drain) that waits for room is not searched again until it grows: with thousands of nodes a
     * hopeless search every tick would cost more than all the placements that succeed.
     */
    private long capacityEpoch;
    private final Map<String, Long> unplacedAtEpoch = new HashMap<>();
    private final Map<String, Long> drainBlockedAtEpoch = new HashMap<>();
    /** Apps that are not settled (waiting, backing off, restarting, deleting): looked at on every tick. */
    private final Set<String> unsettled = new LinkedHashSet<>();
    /** When this scheduler began to act; nodes get one full timeout from then to be heard. */
    private Instant liveSince;
    /**
     * Nodes whose last report was already older than the node timeout when this scheduler went
     * live: perhaps gone for good. They get no new tasks until heard again; their tasks are declared
     * lost, as on any node, once a timeout from the start has passed without a word.
     */
    private final Set<String> unconfirmed = new HashSet<>();
    /** Each node's volume lease in ms, from its latest report. */
    private final Map<String, Long> leases = new HashMap<>();
    /** The volume drivers some registered node serves; null when a node changed and it must be counted again. */
    private Set<String> offeredProviders;
    private final StatefulVolumes volumes = new StatefulVolumes(new NodeLiveness());
    /** Why a stateful app's last launch failed at its volumes, shown on the queue while it backs off. */
    private final Map<String, String> volumeFailures = new HashMap<>();
    /** appId → instance → why it was given fresh volumes, for the record of its next task (an audited act). */
    private final Map<String, Map<Integer, String>> replacements = new HashMap<>();
    /** The last ReplaceInstance carried out per identity, so that a repeated command replaces only once. */
    private final Map<String, String> replaceCommands = new HashMap<>();
    /** Set once the first input after a rebuild has taken up the launches that still wait for volumes. */
    private boolean resumed;

    /** How long a failing app waits before its next launch, and the delay that follows it. */
    private record Backoff(Duration delay, Instant notBefore) {
    }

    public SchedulerCore(SchedulerSettings settings, PlacementEngine engine) {
        this.settings = settings;
        this.engine = engine;
    }

    // ---- rebuilding from the compacted topics -------------------------------------------------

    public void restoreApp(AppState app) {
        apps.put(app.appId(), app);
        // Tasks read before their app were allocated without resources; count them properly now.
        List.copyOf(tasksByApp.getOrDefault(app.appId(), Map.of()).values()).forEach(this::index);
        // After a takeover every app is looked at once: the old leader may have stopped mid-way.
        unsettled.add(app.appId());
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
        lastHeard.put(report.nodeId(), report.occurredAt());
        leases.put(report.nodeId(), report.volumes().leaseMillis());
        cluster.putNode(info(report));
        offeredProviders = null;
    }

    /** A volume event read during rebuild: the latest snapshot per volume stands. */
    public void restoreVolume(VolumeEvent event) {
        volumes.observe(event.volume());
    }

    /** A tombstone on {@code berth.volume-events}. */
    public void forgetVolume(String volumeId) {
        volumes.forget(volumeId);
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
        if (command instanceof DrainNode) {
            drained.add(command.nodeId());
        } else {
            drained.remove(command.nodeId());
        }
        cluster.setMode(command.nodeId(), drained.contains(command.nodeId()) ? NodeMode.DRAINING : NodeMode.READY);
    }

    // ---- inputs ---------------------------------------------------------------------------------

    public List<Action> handle(AppCommand command, Instant now) {
        Plan plan = start(now);
        AppState existing = apps.get(command.appId());
        if (command instanceof CreateApp create) {
            if (existing != null) {
                // Redelivered, or a racing second create: the first accepted one stands.
                return plan.actions;
            }
            volumes.newApp(create.appId());
            plan.recordApp(AppState.of(create.app(), 1, false, create.id()));
        } else if (existing == null || existing.deleting()) {
            // Scale, restart, replace or delete of an app that is gone or going: nothing to do.
            return plan.actions;
        } else if (command instanceof DeleteApp delete) {
            if (delete.wipe()) {
                volumes.wipeOnRemoval(delete.appId());
            }
            plan.recordApp(existing.deleted(delete.id()));
        } else if (command instanceof ReplaceInstance replace) {
            if (!replaceInstance(existing, replace, plan)) {
                return plan.actions;
            }
        } else if (command instanceof ScaleApp scale) {
            if (scale.instances() == existing.definition().instances()) {
                return plan.actions;
            }
            plan.recordApp(existing.scaled(existing.definition().withInstances(scale.instances()), scale.id()));
        } else if (command instanceof RestartApp restart) {
            // A restart is an operator's fresh start: any backoff from earlier failures is forgiven.
            backoffs.remove(existing.appId());
            plan.recordApp(existing.restarted(restart.id()));
        }
        unplacedAtEpoch.remove(command.appId());
        reconcileApp(apps.get(command.appId()), plan);
        return plan.actions;
    }

    public List<Action> handle(TaskStatus status, Instant now) {
        Plan plan = start(now);
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
            if (status.state().isActive() && updated.replaces() != null) {
                takeOver(updated, plan);
            }
            if (status.state() == TaskState.UNHEALTHY && status.health() != null && status.health().exhausted()) {
                replaceUnhealthy(tasks.get(task.taskId()), status, plan);
            }
            return plan.actions;
        }
        plan.removeTask(task.taskId());
        // The agent reported it, so its node is there: its volumes are detached at once.
        volumes.taskEnded(task, false, plan);
        AppState app = apps.get(task.appId());
        if (app != null && task.desired() == DesiredState.RUN && status.state() != TaskState.LOST) {
            backOff(app, now);
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
    public List<Action> observe(NodeReport report, Instant now) {
        Plan plan = start(now);
        Instant before = lastHeard.put(report.nodeId(), now);
        unconfirmed.remove(report.nodeId());
        leases.put(report.nodeId(), report.volumes().leaseMillis());
        boolean changed = cluster.putNode(info(report));
        if (changed) {
            offeredProviders = null;
        }
        boolean gainedNode = before == null || cluster.mode(report.nodeId()) == NodeMode.UNREACHABLE;
        if (gainedNode || changed) {
            capacityEpoch++;
        }
        cluster.setMode(report.nodeId(), drained.contains(report.nodeId()) ? NodeMode.DRAINING : NodeMode.READY);

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
    public List<Action> handle(NodeAdminCommand command, Instant now) {
        Plan plan = start(now);
        boolean wasDrained = drained.contains(command.nodeId());
        NodeMode before = cluster.mode(command.nodeId());
        restoreNodeAdmin(command);
        if (before == NodeMode.UNREACHABLE) {
            cluster.setMode(command.nodeId(), NodeMode.UNREACHABLE);
        }
        if (command instanceof UndrainNode && wasDrained) {
            capacityEpoch++;
            reconcileUnsettled(plan);
        }
        progressDrains(plan);
        return plan.actions;
    }

    /**
     * Periodic pass: nodes silent past the timeout are declared unreachable and their tasks lost;
     * backoffs of apps that stayed up are forgiven; drains move on; and every unsettled app
     * (waiting for room or a delay, restarting, deleting) is reconciled again.
     */
    public List<Action> tick(Instant now) {
        Plan plan = start(now);
        for (String nodeId : lastHeard.keySet()) {
            if ((cluster.mode(nodeId) != NodeMode.UNREACHABLE || unconfirmed.contains(nodeId))
                    && silent(nodeId, now)) {
                unconfirmed.remove(nodeId);
                cluster.setMode(nodeId, NodeMode.UNREACHABLE);
                for (TaskRecord task : List.copyOf(tasksOn(nodeId))) {
                    lose(task, "node " + nodeId + " unreachable", true, plan);
                }
            }
        }
        forgiveStableApps(now);
        progressDrains(plan);
        reconcileUnsettled(plan);
        for (String appId : volumes.pendingApps()) {
            // Releases that wait for a lost node's lease to run out.
            volumes.collect(appId, apps.get(appId), tasksOf(appId), now, plan);
        }
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
    public List<Action> handle(VolumeEvent event, Instant now) {
        Plan plan = start(now);
        if (event.volume() == null || !volumes.observe(event.volume())) {
            return plan.actions;
        }
        // A volume's binding or holder changed: an identity waiting on it may be placeable now.
        capacityEpoch++;
        switch (event.kind()) {
            case ATTACHED -> volumeAttached(event, plan);
            case ATTACH_REFUSED -> attachRefused(event, plan);
            case DELETED -> volumes.destroyIfLocalDeleted(event, plan);
            default -> {
            }
        }
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

    public NodeMode nodeMode(String nodeId) {
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
    private Plan start(Instant now) {
        begin(now);
        Plan plan = new Plan(now);
        if (!resumed) {
            resumed = true;
            resumeVolumeHandshakes(plan);
            for (String appId : volumes.appsWithVolumes()) {
                volumes.collect(appId, apps.get(appId), tasksOf(appId), now, plan);
            }
        }
        return plan;
    }

    private void begin(Instant now) {
        if (liveSince == null) {
            liveSince = now;
            // A new leader reads every node ever reported; one silent for longer than the timeout must
            // not be placed on in the grace every node gets (its agent may have stopped long ago).
            lastHeard.forEach((nodeId, last) -> {
                if (last != null && !last.plus(settings.nodeTimeout()).isAfter(now)
                        && cluster.mode(nodeId) != NodeMode.UNREACHABLE) {
                    unconfirmed.add(nodeId);
                    cluster.setMode(nodeId, NodeMode.UNREACHABLE);
                }
            });
        }
    }

    private void reconcileUnsettled(Plan plan) {
        for (String appId : List.copyOf(unsettled)) {
            AppState app = apps.get(appId);
            if (app == null) {
                unsettled.remove(appId);
            } else {
                reconcileApp(app, plan);
            }
        }
    }

    private void reconcileApp(AppState app, Plan plan) {
        String appId = app.appId();
        List<TaskRecord> all = tasksOf(appId);
        if (app.deleting()) {
            all.stream().filter(t -> t.desired() == DesiredState.RUN).forEach(t -> stop(t, "app deleted", plan));
            if (tasksByApp.getOrDefault(appId, Map.of()).isEmpty()) {
                plan.removeApp(appId);
                // Its tasks have all ended (and detached): its volumes are released, or deleted by a wipe.
                volumes.collect(appId, null, List.of(), plan.now, plan);
            } else {
                unsettled.add(appId);
            }
            return;
        }
        if (app.definition().isStateful()) {
            reconcileStatefulApp(app, plan);
            return;
        }
        AppDefinition def = app.definition();
        List<TaskRecord> slots = new ArrayList<>(all.stream()
                .filter(t -> t.desired() == DesiredState.RUN && t.replaces() == null).toList());
        Map<String, TaskRecord> replacementOf = new HashMap<>();
        all.stream().filter(t -> t.desired() == DesiredState.RUN && t.replaces() != null)
                .forEach(t -> replacementOf.put(t.replaces(), t));

        int surplus = slots.size() - def.instances();
        if (surplus > 0) {
            List<TaskRecord> victims = slots.stream().sorted(scaleDownOrder(def.killSelection())).limit(surplus)
                    .toList();
            for (TaskRecord victim : victims) {
                stop(victim, "scaled down", plan);
                TaskRecord replacement = replacementOf.remove(victim.taskId());
                if (replacement != null) {
                    stop(replacement, "scaled down", plan);
                }
            }
            slots.removeAll(victims);
        }

        Backoff backoff = backoffs.get(appId);
        Instant delayedUntil = backoff != null && plan.now.isBefore(backoff.notBefore()) ? backoff.notBefore() : null;
        boolean hopeless = Long.valueOf(capacityEpoch).equals(unplacedAtEpoch.get(appId));
        List<TaskRequest> requests = new ArrayList<>();
        List<Launch> launches = new ArrayList<>();
        if (delayedUntil == null) {
            Set<Integer> taken = new HashSet<>();
            slots.forEach(t -> taken.add(t.instance()));
            int instance = 0;
            for (int missing = def.instances() - slots.size(); missing > 0; missing--) {
                while (taken.contains(instance)) {
                    instance++;
                }
                taken.add(instance);
                launches.add(new Launch(instance, null));
            }
            // A restart: tasks launched for an older configuration are replaced, new one first.
            for (TaskRecord slot : slots) {
                if (slot.appVersion() < app.configVersion() && !replacementOf.containsKey(slot.taskId())) {
                    launches.add(new Launch(slot.instance(), slot));
                }
            }
            if (!hopeless) {
                launches.forEach(l -> requests.add(request(def, TaskIds.newTaskId(appId))));
            }
        }
        Map<String, Integer> reasons = new TreeMap<>(drainBlocked.getOrDefault(appId, Map.of()));
        int waiting = (delayedUntil == null ? 0 : Math.max(0, def.instances() - slots.size()))
                + (drainBlocked.containsKey(appId) ? 1 : 0);
        if (delayedUntil == null && hopeless && !launches.isEmpty()) {
            // Nothing that could make room has happened since the last search: the same answer.
            waiting += launches.size();
            AppQueue last = queue.get(appId);
            if (last != null) {
                last.unplaced().forEach((r, n) -> reasons.merge(r, n, Math::max));
            }
        }
        boolean restarting = false;
        boolean unplacedAny = false;
        if (!requests.isEmpty()) {
            List<PlacementResult> results = engine.place(requests, cluster);
            for (int i = 0; i < results.size(); i++) {
                Launch launch = launches.get(i);
                if (results.get(i) instanceof PlacementResult.Placed placed) {
                    launch(app, requests.get(i).taskId(), launch.instance(), placed,
                            launch.replacing() == null ? null : launch.replacing().taskId(), plan);
                    restarting |= launch.replacing() != null;
                } else if (launch.replacing() != null) {
                    // No room for a new task beside the old one: stop the old one first; its
                    // instance is placed again once its resources are free.
                    stop(launch.replacing(), "restarted", plan);
                    restarting = true;
                } else {
                    waiting++;
                    unplacedAny = true;
                    ((PlacementResult.Unplaced) results.get(i)).reasons().forEach((r, n) -> reasons.merge(r, n, Math::max));
                }
            }
        }
        restarting |= !replacementOf.isEmpty();
        if (unplacedAny) {
            unplacedAtEpoch.put(appId, capacityEpoch);
        } else if (!hopeless || launches.isEmpty()) {
            unplacedAtEpoch.remove(appId);
        }
        publishQueue(appId, waiting, reasons, delayedUntil, plan);
        if (waiting > 0 || delayedUntil != null || restarting) {
            unsettled.add(appId);
        } else {
            unsettled.remove(appId);
        }
    }

    // ---- stateful apps: identities and their volumes ------------------------------------------------

    /**
     * A stateful app is reconciled by identity: instance {@code i} is identity {@code db-i} and owns
     * its volumes. Identities {@code 0 … instances-1} are wanted; those above are stopped, highest
     * first whatever the kill selection (as a StatefulSet scales down), and their volumes released
     * once their tasks ended. An identity is placed again only once its previous task has ended, so
     * that its volumes are free; it waits while no node serves its volume drivers, while the node its
     * local volume lives on is away, or while a lost node's lease still covers one of its external
     * volumes. A restart takes down one identity at a time, and only while all the others run.
     */
    private void reconcileStatefulApp(AppState app, Plan plan) {
        String appId = app.appId();
        AppDefinition def = app.definition();
        List<TaskRecord> all = tasksOf(appId);
        for (int i = all.size() - 1; i >= 0; i--) {
            TaskRecord task = all.get(i);
            if (task.desired() == DesiredState.RUN && task.instance() >= def.instances()) {
                stop(task, "scaled down", plan);
            }
        }
        boolean restarting = restartOneIdentity(app, plan);
        all = tasksOf(appId);
        Set<Integer> busy = new HashSet<>();
        all.forEach(t -> busy.add(t.instance()));

        Backoff backoff = backoffs.get(appId);
        Instant delayedUntil = backoff != null && plan.now.isBefore(backoff.notBefore()) ? backoff.notBefore() : null;
        boolean hopeless = Long.valueOf(capacityEpoch).equals(unplacedAtEpoch.get(appId));
        Map<String, Integer> reasons = new TreeMap<>();
        int waiting = 0;
        List<IdentityVolumes> toPlace = new ArrayList<>();
        List<TaskRequest> requests = new ArrayList<>();
        for (int instance = 0; instance < def.instances(); instance++) {
            if (busy.contains(instance)) {
                continue;
            }
            if (delayedUntil != null) {
                waiting++;
                continue;
            }
            IdentityVolumes identity = volumes.volumesOf(def, instance, all);
            String why = whyIdentityWaits(app, identity, plan);
            if (why == null) {
                // Again: an identity replaced just now (unreachableStrategy) has its next generation.
                identity = volumes.volumesOf(def, instance, all);
            }
            if (why != null) {
                waiting++;
                reasons.merge(why, 1, Integer::sum);
            } else if (hopeless) {
                // Nothing that could make room has happened since the last search: the same answer.
                waiting++;
            } else {
                toPlace.add(identity);
                requests.add(statefulRequest(def, TaskIds.newTaskId(appId), identity));
            }
        }
        if (delayedUntil != null && volumeFailures.containsKey(appId)) {
            reasons.merge(volumeFailures.get(appId), 1, Integer::sum);
        }
        if (hopeless) {
            AppQueue last = queue.get(appId);
            if (last != null) {
                last.unplaced().forEach((r, n) -> reasons.merge(r, n, Math::max));
            }
        }
        boolean unplacedAny = false;
        if (!requests.isEmpty()) {
            List<PlacementResult> results = engine.place(requests, cluster);
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) instanceof PlacementResult.Placed placed) {
                    launchIdentity(app, requests.get(i).taskId(), toPlace.get(i), placed, plan);
                } else {
                    waiting++;
                    unplacedAny = true;
                    ((PlacementResult.Unplaced) results.get(i)).reasons().forEach((r, n) -> reasons.merge(r, n, Math::max));
                }
            }
        }
        if (unplacedAny) {
            unplacedAtEpoch.put(appId, capacityEpoch);
        } else if (!hopeless) {
            unplacedAtEpoch.remove(appId);
        }
        publishQueue(appId, waiting, reasons, delayedUntil, plan);
        if (waiting > 0 || delayedUntil != null || restarting) {
            unsettled.add(appId);
        } else {
            unsettled.remove(appId);
        }
        volumes.collect(appId, app, tasksOf(appId), plan.now, plan);
    }

    /**
     * Why the identity cannot be placed now, or null when it can. An identity whose local volume's
     * node has been unreachable for the app's {@code unreachableStrategy.replaceAfterSeconds} is
     * replaced here (fresh volumes, placed anywhere) instead of waiting on.
     */
    private String whyIdentityWaits(AppState app, IdentityVolumes identity, Plan plan) {
        for (String provider : identity.providers()) {
            if (!offeredProviders().contains(provider)) {
                return "no node offers volume provider " + provider;
            }
        }
        Optional<String> pinned = volumes.pinnedNode(identity);
        if (pinned.isPresent() && !(cluster.node(pinned.get()).isPresent()
                && cluster.mode(pinned.get()) == NodeMode.READY)) {
            Integer replaceAfter = app.definition().unreachableStrategy().replaceAfterSeconds();
            if (replaceAfter != null && unreachableSince(pinned.get()).plusSeconds(replaceAfter).compareTo(plan.now) <= 0) {
                replaceIdentity(app, identity.instance(), "node " + pinned.get() + " unreachable for more than "
                        + replaceAfter + " s (unreachableStrategy)", plan);
                // Fresh volumes live nowhere yet: the identity may go to any node.
                return null;
            }
            return "waiting for node " + pinned.get() + ", which holds its local volume";
        }
        return volumes.leaseWait(identity, null, plan.now)
                .map(wait -> "waiting for the lease of lost node " + wait.nodeId() + " to run out")
                .orElse(null);
    }

    /** When a node stopped being heard from long enough to count as unreachable. */
    private Instant unreachableSince(String nodeId) {
        Instant heard = lastHeard.get(nodeId);
        Instant base = heard == null || heard.isBefore(liveSince) ? liveSince : heard;
        return base.plus(settings.nodeTimeout());
    }

    private TaskRequest statefulRequest(AppDefinition def, String taskId, IdentityVolumes identity) {
        return new TaskRequest(taskId, def.id(), new NodeResources(def.cpus(), def.mem(), def.disk()),
                def.portDefinitions(), def.constraints(), def.affinity(), def.placementStrategy(),
                identity.providers(), volumes.pinnedNode(identity).orElse(null));
    }

    /**
     * The identity's task is placed: recorded STAGING with its volumes awaited, and each volume
     * attached (after the detach or fence of its old holder). The launch waits for every ATTACHED.
     */
    private void launchIdentity(AppState app, String taskId, IdentityVolumes identity, PlacementResult.Placed where,
                                Plan plan) {
        AppDefinition def = app.definition();
        TaskRecord task = TaskRecord.launchedWithVolumes(app.id(), taskId, def.id(), app.version(),
                identity.instance(), identity.identity(), where.nodeId(), where.host(), where.ports(), plan.now, null,
                identity.mounts());
        String replaced = replacements.getOrDefault(app.appId(), Map.of()).get(identity.instance());
        if (replaced != null) {
            // The replacement is an operator-visible act: its first task says so.
            task = task.observed(TaskState.STAGING, replaced, null, app.id(), plan.now);
            replacements.get(app.appId()).remove(identity.instance());
        }
        plan.recordTask(task);
        volumes.attach(identity, task, plan);
    }

    /** The task waits for no volume any more: it is launched, with every mount's epoch. */
    private void launchAttached(TaskRecord task, Plan plan) {
        AppState app = apps.get(task.appId());
        if (app == null) {
            return;
        }
        AppDefinition def = app.definition();
        plan.send(LaunchTask.of(task.nodeId(), task.taskId(), def.id(), task.appVersion(),
                spec(def, task.ports(), task.volumes()), task.id()));
        volumeFailures.remove(task.appId());
    }

    private void volumeAttached(VolumeEvent event, Plan plan) {
        TaskRecord task = event.taskId() == null ? null : tasks.get(event.taskId());
        String volumeId = event.volumeId();
        if (task == null || !task.awaitingVolumes().contains(volumeId)
                || !Objects.equals(event.volume().attachedNodeId(), task.nodeId())) {
            // A repeat, or about a task that has ended meanwhile (its detach follows the attach).
            return;
        }
        TaskRecord updated = task.volumeAttached(volumeId, event.volume().fencingEpoch(), event.id(), plan.now);
        plan.recordTask(updated);
        if (updated.awaitingVolumes().isEmpty()) {
            launchAttached(updated, plan);
        }
    }

    /** The volume service refused a volume: the task ends as a failure, and its app backs off. */
    private void attachRefused(VolumeEvent event, Plan plan) {
        TaskRecord task = event.taskId() == null ? null : tasks.get(event.taskId());
        if (task == null || !task.awaitingVolumes().contains(event.volumeId())) {
            return;
        }
        String reason = TaskStatus.VOLUME_FAILED + ": volume " + event.volumeId() + ": "
                + (event.reason() == null ? "attach refused" : event.reason());
        plan.recordTask(task.observed(TaskState.FAILED, reason, null, event.id(), plan.now));
        plan.removeTask(task.taskId());
        volumes.taskEnded(task, false, plan);
        AppState app = apps.get(task.appId());
        if (app != null && task.desired() == DesiredState.RUN) {
            volumeFailures.put(app.appId(), reason);
            backOff(app, plan.now);
            reconcileApp(app, plan);
        }
    }

    /**
     * After a takeover: tasks the previous scheduler placed whose volumes were not all attached yet.
     * A volume the view already shows attached to the task counts; for the others the attach is sent
     * again (the service answers a repeat with ATTACHED); a task with nothing left to wait for launches.
     */
    private void resumeVolumeHandshakes(Plan plan) {
        for (TaskRecord task : List.copyOf(tasks.values())) {
            AppState app = apps.get(task.appId());
            if (task.awaitingVolumes().isEmpty() || app == null || task.volumes().isEmpty()) {
                continue;
            }
            if (task.desired() != DesiredState.RUN) {
                stop(task, "stopped before its volumes were attached", plan);
                continue;
            }
            IdentityVolumes identity = IdentityVolumes.of(app.definition(), task.instance(),
                    IdentityVolumes.generationOf(task.volumes().get(0).volumeId()));
            TaskRecord current = task;
            for (String volumeId : task.awaitingVolumes()) {
                Optional<VolumeSnapshot> known = volumes.volume(volumeId);
                if (known.isPresent() && known.get().state() == VolumeState.ATTACHED
                        && task.taskId().equals(known.get().attachedTaskId())
                        && task.nodeId().equals(known.get().attachedNodeId())) {
                    current = current.volumeAttached(volumeId, known.get().fencingEpoch(), null, plan.now);
                } else {
                    volumes.attachAgain(identity, volumeId, task, plan);
                }
            }
            if (current != task) {
                plan.recordTask(current);
                if (current.awaitingVolumes().isEmpty()) {
                    launchAttached(current, plan);
                }
            }
        }
    }

    /**
     * Restarts a stateful app one identity at a time, in place: the outdated task is stopped first
     * (its volumes cannot be attached to a second task beside it) and its identity placed again once
     * it ended. The next one goes only when every identity runs again.
     *
     * @return whether a restart is still under way
     */
    private boolean restartOneIdentity(AppState app, Plan plan) {
        List<TaskRecord> all = tasksOf(app.appId());
        List<TaskRecord> outdated = all.stream().filter(t -> t.desired() == DesiredState.RUN
                && t.appVersion() < app.configVersion() && t.instance() < app.definition().instances()).toList();
        if (outdated.isEmpty()) {
            return false;
        }
        boolean allUp = all.stream().allMatch(t -> t.desired() == DesiredState.RUN && t.state().isActive())
                && all.size() >= app.definition().instances();
        if (allUp) {
            stop(outdated.get(0), "restarted", plan);
        }
        return true;
    }

    /**
     * An operator's (or the gateway's) ReplaceInstance: the identity gets fresh volumes and is placed
     * anew. A repeated command (same id) does nothing the second time.
     *
     * @return false when there is nothing to replace
     */
    private boolean replaceInstance(AppState app, ReplaceInstance command, Plan plan) {
        AppDefinition def = app.definition();
        int instance = Volumes.instanceOf(app.appId(), command.identity());
        String key = app.appId() + " " + command.identity();
        if (!def.isStateful() || instance < 0 || instance >= def.instances()
                || command.id().equals(replaceCommands.get(key))) {
            return false;
        }
        replaceCommands.put(key, command.id());
        replaceIdentity(app, instance, "replaced by an operator"
                + (command.reason() == null || command.reason().isBlank() ? "" : ": " + command.reason()), plan);
        return true;
    }

    /**
     * Gives identity {@code instance} its next generation of volumes: the current ones are released
     * (data kept, never destroyed) once no task holds them, and its running task, if any, is stopped
     * so the identity can be placed afresh.
     */
    private void replaceIdentity(AppState app, int instance, String why, Plan plan) {
        List<TaskRecord> appTasks = tasksOf(app.appId());
        int generation = volumes.replace(app.appId(), instance, appTasks);
        String identity = Volumes.identity(app.appId(), instance);
        String note = "REPLACED: identity " + identity + " given fresh volumes (generation " + generation + "): " + why;
        replacements.computeIfAbsent(app.appId(), a -> new HashMap<>()).put(instance, note);
        for (TaskRecord task : appTasks) {
            if (task.instance() == instance && task.desired() == DesiredState.RUN) {
                stop(task, note, plan);
            }
        }
        unplacedAtEpoch.remove(app.appId());
    }

    /** The volume drivers at least one registered node serves. */
    private Set<String> offeredProviders() {
        if (offeredProviders == null) {
            Set<String> offered = new HashSet<>();
            cluster.nodes().forEach(n -> offered.addAll(n.volumeProviders()));
            offeredProviders = offered;
        }
        return offeredProviders;
    }

    /** What the volume rules need to know of nodes, from this core's own view of them. */
    private final class NodeLiveness implements StatefulVolumes.Nodes {
        @Override
        public boolean reachable(String nodeId) {
            return cluster.node(nodeId).isPresent() && cluster.mode(nodeId) != NodeMode.UNREACHABLE;
        }

        @Override
        public Instant leaseOverAt(String nodeId) {
            Instant heard = lastHeard.get(nodeId);
            // A scheduler that has just taken over cannot know what the node heard before: it counts
            // from when it went live, as it does for the node timeout.
            Instant base = heard == null || heard.isBefore(liveSince) ? liveSince : heard;
            Long lease = leases.get(nodeId);
            long millis = lease != null ? lease : Math.max(settings.nodeTimeout().toMillis(),
                    leases.values().stream().mapToLong(Long::longValue).max().orElse(0));
            return base.plusMillis(millis).plus(settings.leaseMargin());
        }
    }

    /** One instance to launch; {@code replacing} is the task it takes over from, if any. */
    private record Launch(int instance, TaskRecord replacing) {
    }

    /** Tasks on draining or lost nodes go first, then by the app's kill selection. */
    private Comparator<TaskRecord> scaleDownOrder(KillSelection selection) {
        Comparator<TaskRecord> byAge = Comparator.comparing(TaskRecord::launchedAt,
                Comparator.nullsFirst(Comparator.naturalOrder()));
        if (selection == KillSelection.YOUNGEST_FIRST) {
            byAge = byAge.reversed();
        }
        Comparator<TaskRecord> nodeFirst = Comparator.comparing(t -> cluster.mode(t.nodeId()) == NodeMode.READY);
        return nodeFirst.thenComparing(byAge).thenComparing(TaskRecord::taskId);
    }

    /**
     * Drains move one task per node at a time: the next task of a draining node gets a replacement
     * elsewhere only when no earlier replacement from that node is still starting.
     */
    private void progressDrains(Plan plan) {
        Map<String, Map<String, Integer>> blockedBefore = new HashMap<>(drainBlocked);
        drainBlocked.clear();
        for (String nodeId : drained) {
            if (cluster.mode(nodeId) != NodeMode.DRAINING) {
                continue;
            }
            // Stateful instances stay: a replacement cannot start beside them on the same volumes (and a
            // local volume cannot leave); they move only when stopped or replaced by an operator.
            List<TaskRecord> onNode = tasksOn(nodeId).stream()
                    .filter(t -> t.desired() == DesiredState.RUN && t.replaces() == null && t.volumes().isEmpty())
                    .sorted(Comparator.comparing(TaskRecord::launchedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                            .thenComparing(TaskRecord::taskId))
                    .toList();
            boolean inFlight = onNode.stream().anyMatch(this::hasReplacement);
            if (inFlight || onNode.isEmpty()) {
                continue;
            }
            TaskRecord next = onNode.get(0);
            AppState app = apps.get(next.appId());
            if (app == null || app.deleting() || backingOff(app.appId(), plan.now)) {
                continue;
            }
            if (Long.valueOf(capacityEpoch).equals(drainBlockedAtEpoch.get(nodeId))
                    && blockedBefore.containsKey(app.appId())) {
                drainBlocked.put(app.appId(), blockedBefore.get(app.appId()));
                continue;
            }
            String taskId = TaskIds.newTaskId(app.appId());
            PlacementResult result = engine.place(List.of(request(app.definition(), taskId)), cluster).get(0);
            if (result instanceof PlacementResult.Placed placed) {
                drainBlockedAtEpoch.remove(nodeId);
                launch(app, taskId, next.instance(), placed, next.taskId(), plan);
            } else {
                drainBlockedAtEpoch.put(nodeId, capacityEpoch);
                drainBlocked.put(app.appId(), ((PlacementResult.Unplaced) result).reasons());
                unsettled.add(app.appId());
            }
        }
    }

    private boolean hasReplacement(TaskRecord original) {
        return tasksByApp.getOrDefault(original.appId(), Map.of()).values().stream()
                .anyMatch(t -> original.taskId().equals(t.replaces()) && t.desired() == DesiredState.RUN);
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
    private void replaceUnhealthy(TaskRecord task, TaskStatus status, Plan plan) {
        AppState app = apps.get(task.appId());
        if (app == null || app.deleting() || task.desired() != DesiredState.RUN) {
            return;
        }
        stop(task, healthFailure(status), plan);
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
    private void takeOver(TaskRecord replacement, Plan plan) {
        TaskRecord original = tasks.get(replacement.replaces());
        if (original != null && original.desired() == DesiredState.RUN) {
            stop(original, "replaced by " + replacement.taskId(), plan);
        }
        plan.recordTask(replacement.settled(replacement.id(), plan.now));
        AppState app = apps.get(replacement.appId());
        if (app != null) {
            reconcileApp(app, plan);
        }
        progressDrains(plan);
    }

    /**
     * A task whose node is gone ({@code nodeLost}), or that vanished from it: forgotten, killed if it
     * ever shows up, replaced. Its volumes are detached if its node is still there; from a lost node
     * they are taken only by a fence, once the node's lease has run out.
     */
    private void lose(TaskRecord task, String reason, boolean nodeLost, Plan plan) {
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
        AppDefinition def = app.definition();
        Backoff previous = backoffs.get(app.appId());
        double seconds = previous == null ? def.backoffSeconds()
                : Math.min(previous.delay().toMillis() / 1000.0 * def.backoffFactor(), def.maxLaunchDelaySeconds());
        Duration delay = Duration.ofMillis(Math.round(seconds * 1000));
        backoffs.put(app.appId(), new Backoff(delay, now.plus(delay)));
        unsettled.add(app.appId());
    }

    private boolean backingOff(String appId, Instant now) {
        Backoff backoff = backoffs.get(appId);
        return backoff != null && now.isBefore(backoff.notBefore());
    }

    /** An app whose every instance has stayed up for a while since its last failure starts afresh. */
    private void forgiveStableApps(Instant now) {
        backoffs.entrySet().removeIf(entry -> {
            if (now.isBefore(entry.getValue().notBefore())) {
                return false;
            }
            AppState app = apps.get(entry.getKey());
            if (app == null) {
                return true;
            }
            List<TaskRecord> wanted = tasksOf(app.appId()).stream()
                    .filter(t -> t.desired() == DesiredState.RUN).toList();
            return wanted.size() >= app.definition().instances() && wanted.stream().allMatch(t ->
                    t.runningSince() != null && !t.runningSince().plus(settings.backoffResetAfter()).isAfter(now));
        });
    }

    private TaskRequest request(AppDefinition def, String taskId) {
        return new TaskRequest(taskId, def.id(), new NodeResources(def.cpus(), def.mem(), def.disk()),
                def.portDefinitions(), def.constraints(), def.affinity(), def.placementStrategy());
    }

    private void launch(AppState app, String taskId, int instance, PlacementResult.Placed where, String replaces,
                        Plan plan) {
        AppDefinition def = app.definition();
        TaskRecord task = TaskRecord.launched(app.id(), taskId, def.id(), app.version(), instance, where.nodeId(),
                where.host(), where.ports(), plan.now, replaces);
        plan.recordTask(task);
        plan.send(LaunchTask.of(where.nodeId(), taskId, def.id(), app.version(), spec(def, where.ports(), List.of()),
                task.id()));
    }

    private static TaskSpec spec(AppDefinition def, List<PortAssignment> ports, List<VolumeMount> mounts) {
        return new TaskSpec(def.cmd(), def.args(), def.env(), def.labels(), def.cpus(), def.mem(), def.disk(), ports,
                def.user(), def.healthChecks(), def.isolation(), mounts);
    }

    private void stop(TaskRecord task, String reason, Plan plan) {
        if (!task.awaitingVolumes().isEmpty()) {
            // Never launched (its volumes were still being attached): nothing runs on the node to kill.
            // It ends here, and what was attached for it is detached.
            plan.recordTask(task.wanting(DesiredState.STOP, null, plan.now)
                    .observed(TaskState.KILLED, reason, null, null, plan.now));
            plan.removeTask(task.taskId());
            volumes.taskEnded(task, false, plan);
            return;
        }
        TaskRecord stopping = task.wanting(DesiredState.STOP, null, plan.now);
        plan.recordTask(stopping);
        plan.send(KillTask.of(task.nodeId(), task.taskId(), killGrace(task.appId()), reason, stopping.id()));
    }

    private int killGrace(String appId) {
        AppState app = apps.get(appId);
        return app == null ? settings.defaultKillGrace() : app.definition().taskKillGracePeriodSeconds();
    }

    /** True when a node once heard from has been silent for longer than the node timeout. */
    private boolean silent(String nodeId, Instant now) {
        Instant last = lastHeard.get(nodeId);
        if (last == null) {
            return false;
        }
        // After a (re)start every node gets one full timeout to be heard before it counts as lost.
        Instant heard = last.isAfter(liveSince) ? last : liveSince;
        return !heard.plus(settings.nodeTimeout()).isAfter(now);
    }

    private void publishQueue(String appId, int waiting, Map<String, Integer> reasons, Instant delayedUntil,
                              Plan plan) {
        AppQueue current = queue.get(appId);
        if (waiting == 0 && delayedUntil == null) {
            if (current != null) {
                plan.removeQueue(appId);
            }
            return;
        }
        if (current != null && current.waiting() == waiting && current.unplaced().equals(reasons)
                && Objects.equals(current.delayedUntil(), delayedUntil)) {
            return;
        }
        plan.recordQueue(AppQueue.of(appId, waiting, reasons, delayedUntil,
                current == null ? plan.now : current.since()));
    }

    private Collection<TaskRecord> tasksOn(String nodeId) {
        return tasksByNode.getOrDefault(nodeId, Map.of()).values();
    }

    private static NodeInfo info(NodeReport report) {
        return new NodeInfo(report.nodeId(), report.hostname(), report.host(), report.capacity(), report.ports(),
                report.attributes(), report.isolation(), Set.copyOf(report.volumes().providers()));
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

    /** Collects actions and applies each one to the state as it is emitted. */
    private final class Plan implements StatefulVolumes.Sink {
        final List<Action> actions = new ArrayList<>();
        final Instant now;

        Plan(Instant now) {
            this.now = now;
        }

        void recordApp(AppState app) {
            apps.put(app.appId(), app);
            actions.add(new Action.RecordApp(app));
        }

        void removeApp(String appId) {
            apps.remove(appId);
            unplacedAtEpoch.remove(appId);
            backoffs.remove(appId);
            unsettled.remove(appId);
            actions.add(new Action.RemoveApp(appId));
            volumeFailures.remove(appId);
            replacements.remove(appId);
            volumes.appRemoved(appId);
            if (queue.containsKey(appId)) {
                removeQueue(appId);
            }
        }

        void recordTask(TaskRecord task) {
            index(task);
            actions.add(new Action.RecordTask(task));
        }

        void removeTask(String taskId) {
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
    }
}
