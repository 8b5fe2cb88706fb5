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
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UndrainNode;
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
 * <p>Every action is applied to this state as it is emitted, so the state always equals what the
 * actions will have written once committed. If a commit fails, the owner must throw this object
 * away and rebuild it from the compacted topics ({@link #restoreApp}, {@link #restoreTask},
 * {@link #restoreNode}, {@link #restoreNodeAdmin}).
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
        cluster.putNode(info(report));
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
        begin(now);
        Plan plan = new Plan(now);
        AppState existing = apps.get(command.appId());
        if (command instanceof CreateApp create) {
            if (existing != null) {
                // Redelivered, or a racing second create: the first accepted one stands.
                return plan.actions;
            }
            plan.recordApp(AppState.of(create.app(), 1, false, create.id()));
        } else if (existing == null || existing.deleting()) {
            // Scale, restart or delete of an app that is gone or going: nothing to do.
            return plan.actions;
        } else if (command instanceof DeleteApp delete) {
            plan.recordApp(existing.deleted(delete.id()));
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
        begin(now);
        Plan plan = new Plan(now);
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
        begin(now);
        Plan plan = new Plan(now);
        Instant before = lastHeard.put(report.nodeId(), now);
        unconfirmed.remove(report.nodeId());
        boolean changed = cluster.putNode(info(report));
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
                lose(task, "no longer running on " + report.nodeId(), plan);
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
        begin(now);
        Plan plan = new Plan(now);
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
        begin(now);
        Plan plan = new Plan(now);
        for (String nodeId : lastHeard.keySet()) {
            if ((cluster.mode(nodeId) != NodeMode.UNREACHABLE || unconfirmed.contains(nodeId))
                    && silent(nodeId, now)) {
                unconfirmed.remove(nodeId);
                cluster.setMode(nodeId, NodeMode.UNREACHABLE);
                for (TaskRecord task : List.copyOf(tasksOn(nodeId))) {
                    lose(task, "node " + nodeId + " unreachable", plan);
                }
            }
        }
        forgiveStableApps(now);
        progressDrains(plan);
        reconcileUnsettled(plan);
        for (String appId : List.copyOf(queue.keySet())) {
            if (!apps.containsKey(appId)) {
                plan.removeQueue(appId);
            }
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

    // ---- reconciliation -------------------------------------------------------------------------

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
            } else {
                unsettled.add(appId);
            }
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
            List<TaskRecord> onNode = tasksOn(nodeId).stream()
                    .filter(t -> t.desired() == DesiredState.RUN && t.replaces() == null)
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

    /** A task whose node is gone, or that vanished from it: forgotten, killed if it ever shows up, replaced. */
    private void lose(TaskRecord task, String reason, Plan plan) {
        // Recorded LOST first, so readers of berth.tasks see what happened before the tombstone.
        plan.recordTask(task.observed(TaskState.LOST, reason, null, null, plan.now));
        plan.removeTask(task.taskId());
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
        TaskSpec spec = new TaskSpec(def.cmd(), def.args(), def.env(), def.labels(), def.cpus(), def.mem(),
                def.disk(), where.ports(), def.user(), def.healthChecks(), def.isolation());
        plan.recordTask(task);
        plan.send(LaunchTask.of(where.nodeId(), taskId, def.id(), app.version(), spec, task.id()));
    }

    private void stop(TaskRecord task, String reason, Plan plan) {
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
                report.attributes(), report.isolation());
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
    private final class Plan {
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

        void send(NodeCommand command) {
            actions.add(new Action.SendToNode(command));
        }
    }
}
