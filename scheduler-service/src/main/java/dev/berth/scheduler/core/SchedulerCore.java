package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.KillSelection;
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
 * another node; see {@link StatefulReconciler} and {@link StatefulVolumes}.
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
    private final StatefulVolumes volumes = new StatefulVolumes(new NodeLiveness());
    private final StatefulReconciler stateful;
    /** Set once the first input after a rebuild has taken up the launches that still wait for volumes. */
    private boolean resumed;

    /** How long a failing app waits before its next launch, and the delay that follows it. */
    private record Backoff(Duration delay, Instant notBefore) {
    }

    public SchedulerCore(SchedulerSettings settings, PlacementEngine engine) {
        this.settings = settings;
        this.engine = engine;
        this.stateful = new StatefulReconciler(new Internals(), volumes, engine, cluster);
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
            plan.recordApp(volumes.created(AppState.of(create.app(), 1, false, create.id())));
        } else if (existing == null || existing.deleting()) {
            // Scale, restart, replace or delete of an app that is gone or going: nothing to do.
            return plan.actions;
        } else if (command instanceof DeleteApp delete) {
            plan.recordApp(existing.deleted(delete.wipe(), delete.id()));
        } else if (command instanceof ReplaceInstance replace) {
            if (!stateful.replaceInstance(existing, replace, plan)) {
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
            stateful.nodesChanged();
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
    public List<Action> handle(VolumeEvent event, Instant now) {
        Plan plan = start(now);
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
            stateful.resume(plan);
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

        Instant delayedUntil = delayedUntil(appId, plan.now);
        boolean hopeless = searchedInVain(appId);
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
        conclude(appId, new Pass(waiting, reasons, delayedUntil, unplacedAny, hopeless && !launches.isEmpty(),
                restarting), plan);
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

    /** The app's queue entry, whether it is searched again, and whether it is looked at on every tick. */
    private void conclude(String appId, Pass pass, Plan plan) {
        if (pass.unplacedAny()) {
            unplacedAtEpoch.put(appId, capacityEpoch);
        } else if (!pass.keepVerdict()) {
            unplacedAtEpoch.remove(appId);
        }
        publishQueue(appId, pass.waiting(), pass.reasons(), pass.delayedUntil(), plan);
        if (pass.waiting() > 0 || pass.delayedUntil() != null || pass.underWay()) {
            unsettled.add(appId);
        } else {
            unsettled.remove(appId);
        }
    }

    /** True when the app's last search found no room and nothing that could make room has happened since. */
    private boolean searchedInVain(String appId) {
        return Long.valueOf(capacityEpoch).equals(unplacedAtEpoch.get(appId));
    }

    /** When a node stopped being heard from long enough to count as unreachable. */
    private Instant unreachableSince(String nodeId) {
        Instant heard = lastHeard.get(nodeId);
        Instant base = heard == null || heard.isBefore(liveSince) ? liveSince : heard;
        return base.plus(settings.nodeTimeout());
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
        return delayedUntil(appId, now) != null;
    }

    /** When the failing app may launch again; null when it is not backing off. */
    private Instant delayedUntil(String appId, Instant now) {
        Backoff backoff = backoffs.get(appId);
        return backoff != null && now.isBefore(backoff.notBefore()) ? backoff.notBefore() : null;
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

    static TaskSpec spec(AppDefinition def, List<PortAssignment> ports, List<VolumeMount> mounts) {
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

    /** What the stateful rules may use of this core: its index, backoffs, placement and queue. */
    private final class Internals implements StatefulReconciler.Core {
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
        public void stop(TaskRecord task, String reason, StatefulReconciler.Plan plan) {
            SchedulerCore.this.stop(task, reason, (Plan) plan);
        }

        @Override
        public void reconcile(AppState app, StatefulReconciler.Plan plan) {
            reconcileApp(app, (Plan) plan);
        }

        @Override
        public Instant delayedUntil(String appId, Instant now) {
            return SchedulerCore.this.delayedUntil(appId, now);
        }

        @Override
        public void backOff(AppState app, Instant now) {
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

        @Override
        public void conclude(String appId, Pass pass, StatefulReconciler.Plan plan) {
            SchedulerCore.this.conclude(appId, pass, (Plan) plan);
        }

        @Override
        public Instant unreachableSince(String nodeId) {
            return SchedulerCore.this.unreachableSince(nodeId);
        }
    }

    /** Collects actions and applies each one to the state as it is emitted. */
    private final class Plan implements StatefulReconciler.Plan {
        final List<Action> actions = new ArrayList<>();
        final Instant now;

        Plan(Instant now) {
            this.now = now;
        }

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public void recordApp(AppState app) {
            apps.put(app.appId(), app);
            // The app asks for something new (a command, a replacement): its placements are searched again.
            unplacedAtEpoch.remove(app.appId());
            actions.add(new Action.RecordApp(app));
        }

        void removeApp(String appId) {
            apps.remove(appId);
            unplacedAtEpoch.remove(appId);
            backoffs.remove(appId);
            unsettled.remove(appId);
            actions.add(new Action.RemoveApp(appId));
            stateful.appRemoved(appId);
            if (queue.containsKey(appId)) {
                removeQueue(appId);
            }
        }

        @Override
        public void recordTask(TaskRecord task) {
            index(task);
            actions.add(new Action.RecordTask(task));
        }

        @Override
        public void removeTask(String taskId) {
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
