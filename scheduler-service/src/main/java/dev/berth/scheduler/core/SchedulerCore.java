package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.Ids;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.Message;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.scheduler.placement.FirstFitPlacer;
import dev.berth.scheduler.placement.NodeCandidate;
import dev.berth.scheduler.placement.PlacementResult;
import dev.berth.scheduler.placement.TaskRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The scheduler's decisions, as plain Java: it holds the desired state of every app, the record of
 * every task and the latest word from every node, and turns each input (an app command, a task
 * status, a node report, the passing of time) into a list of {@link Action}s.
 *
 * <p>Every action is applied to this state as it is emitted, so the state always equals what the
 * actions will have written once committed. If a commit fails, the owner must throw this object
 * away and rebuild it from the compacted topics ({@link #restoreApp}, {@link #restoreTask},
 * {@link #restoreNode}).
 */
public final class SchedulerCore {
    private final SchedulerSettings settings;
    private final FirstFitPlacer placer;
    private final Map<String, AppState> apps = new LinkedHashMap<>();
    private final Map<String, TaskRecord> tasks = new LinkedHashMap<>();
    // Sorted so that first-fit placement is deterministic.
    private final Map<String, NodeView> nodes = new TreeMap<>();
    private final Map<String, Instant> relaunchNotBefore = new HashMap<>();
    private final Map<String, Map<String, Integer>> unplaced = new HashMap<>();

    public SchedulerCore(SchedulerSettings settings, FirstFitPlacer placer) {
        this.settings = settings;
        this.placer = placer;
    }

    // ---- rebuilding from the compacted topics -------------------------------------------------

    public void restoreApp(AppState app) {
        apps.put(app.appId(), app);
    }

    public void forgetApp(String appId) {
        apps.remove(appId);
    }

    public void restoreTask(TaskRecord task) {
        tasks.put(task.taskId(), task);
    }

    public void forgetTask(String taskId) {
        tasks.remove(taskId);
    }

    /** A node report read during rebuild: its age counts from when it was written. */
    public void restoreNode(NodeReport report) {
        nodes.put(report.nodeId(), new NodeView(report, report.occurredAt()));
    }

    // ---- inputs ---------------------------------------------------------------------------------

    public List<Action> handle(AppCommand command, Instant now) {
        Plan plan = new Plan();
        AppState existing = apps.get(command.appId());
        if (command instanceof CreateApp create) {
            if (existing != null) {
                // Redelivered, or a racing second create: the first accepted one stands.
                return plan.actions;
            }
            plan.recordApp(AppState.of(create.app(), 1, false, create.id()));
        } else if (command instanceof DeleteApp delete) {
            if (existing == null || existing.deleting()) {
                return plan.actions;
            }
            plan.recordApp(AppState.of(existing.definition(), existing.version() + 1, true, delete.id()));
        }
        reconcileApp(apps.get(command.appId()), now, plan);
        return plan.actions;
    }

    public List<Action> handle(TaskStatus status, Instant now) {
        Plan plan = new Plan();
        TaskRecord task = tasks.get(status.taskId());
        if (task == null) {
            if (!status.state().isTerminal() && status.nodeId() != null) {
                // Something runs that no app wants (e.g. launched by a scheduler that was deposed).
                plan.send(KillTask.of(status.nodeId(), status.taskId(), graceSeconds(),
                        "not known to the scheduler", status.id()));
            }
            return plan.actions;
        }
        if (task.state().isTerminal() || task.state() == status.state()) {
            // A duplicate, or news older than what we already know: nothing changes.
            return plan.actions;
        }
        TaskRecord updated = task.observed(status.state(), status.reason(), status.exitCode(), status.id(), now);
        if (!status.state().isTerminal()) {
            plan.recordTask(updated);
            return plan.actions;
        }
        plan.removeTask(task.taskId());
        AppState app = apps.get(task.appId());
        if (task.desired() == DesiredState.RUN && status.state() != TaskState.FINISHED) {
            relaunchNotBefore.put(task.appId(), now.plus(settings.relaunchDelay()));
        }
        if (app != null) {
            reconcileApp(app, now, plan);
        }
        return plan.actions;
    }

    /** A live registration or heartbeat. Tasks the node runs that no app wants are killed. */
    public List<Action> observe(NodeReport report, Instant now) {
        Plan plan = new Plan();
        boolean wasKnown = nodes.containsKey(report.nodeId());
        nodes.put(report.nodeId(), new NodeView(report, now));
        for (String taskId : report.runningTaskIds()) {
            if (!tasks.containsKey(taskId)) {
                plan.send(KillTask.of(report.nodeId(), taskId, graceSeconds(), "not known to the scheduler",
                        report.id()));
            }
        }
        if (!wasKnown) {
            // New capacity: waiting instances may fit now.
            reconcileAll(now, plan);
        }
        return plan.actions;
    }

    /** Periodic pass: delayed relaunches whose time has come, and instances waiting for room. */
    public List<Action> tick(Instant now) {
        Plan plan = new Plan();
        reconcileAll(now, plan);
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
        return tasks.values().stream().filter(t -> t.appId().equals(appId)).toList();
    }

    /** Why instances of the app are still waiting for a node; empty when none wait. */
    public Map<String, Integer> unplacedReasons(String appId) {
        return unplaced.getOrDefault(appId, Map.of());
    }

    // ---- reconciliation -------------------------------------------------------------------------

    private void reconcileAll(Instant now, Plan plan) {
        for (AppState app : List.copyOf(apps.values())) {
            reconcileApp(app, now, plan);
        }
    }

    private void reconcileApp(AppState app, Instant now, Plan plan) {
        List<TaskRecord> wanted = tasksOf(app.appId()).stream()
                .filter(t -> t.desired() == DesiredState.RUN)
                .sorted(Comparator.comparingInt(TaskRecord::instance))
                .toList();
        if (app.deleting()) {
            wanted.forEach(t -> stop(t, "app deleted", plan));
            if (tasksOf(app.appId()).isEmpty()) {
                plan.removeApp(app.appId());
            }
            return;
        }
        int instances = app.definition().instances();
        // Scale-down stops the highest instance numbers first: they were added last.
        for (int i = wanted.size() - 1; i >= instances; i--) {
            stop(wanted.get(i), "scaled down", plan);
        }
        if (wanted.size() < instances) {
            Instant notBefore = relaunchNotBefore.get(app.appId());
            if (notBefore != null && now.isBefore(notBefore)) {
                return;
            }
            relaunchNotBefore.remove(app.appId());
            Set<Integer> taken = wanted.stream().map(TaskRecord::instance).collect(Collectors.toSet());
            placeMissing(app, taken, instances - wanted.size(), now, plan);
        } else {
            unplaced.remove(app.appId());
        }
    }

    private void placeMissing(AppState app, Set<Integer> takenInstances, int missing, Instant now, Plan plan) {
        AppDefinition def = app.definition();
        TaskRequest request = new TaskRequest(def.id(), new NodeResources(def.cpus(), def.mem(), def.disk()),
                def.portDefinitions());
        int instance = 0;
        for (int placed = 0; placed < missing; placed++) {
            while (takenInstances.contains(instance)) {
                instance++;
            }
            PlacementResult result = placer.place(request, candidates(now));
            if (result instanceof PlacementResult.Unplaced u) {
                unplaced.put(app.appId(), u.reasons());
                return;
            }
            var where = (PlacementResult.Placed) result;
            launch(app, instance, where, plan);
            takenInstances.add(instance);
        }
        unplaced.remove(app.appId());
    }

    private void launch(AppState app, int instance, PlacementResult.Placed where, Plan plan) {
        AppDefinition def = app.definition();
        String taskId = TaskIds.newTaskId(def.id());
        TaskRecord task = TaskRecord.launched(app.id(), taskId, def.id(), app.version(), instance, where.nodeId(),
                where.host(), where.ports(), Instant.now(), null);
        TaskSpec spec = new TaskSpec(def.cmd(), def.args(), def.env(), def.labels(), def.cpus(), def.mem(),
                def.disk(), where.ports());
        plan.recordTask(task);
        plan.send(LaunchTask.of(where.nodeId(), taskId, def.id(), app.version(), spec, task.id()));
    }

    private void stop(TaskRecord task, String reason, Plan plan) {
        TaskRecord stopping = task.wanting(DesiredState.STOP, null, Instant.now());
        plan.recordTask(stopping);
        plan.send(KillTask.of(task.nodeId(), task.taskId(), graceSeconds(), reason, stopping.id()));
    }

    /** A snapshot of every node with what is left on it, computed from the tasks placed there. */
    private List<NodeCandidate> candidates(Instant now) {
        Map<String, NodeResources> used = new HashMap<>();
        Map<String, Set<Integer>> ports = new HashMap<>();
        for (TaskRecord task : tasks.values()) {
            if (task.state().isTerminal()) {
                continue;
            }
            AppState app = apps.get(task.appId());
            if (app != null) {
                AppDefinition def = app.definition();
                used.merge(task.nodeId(), new NodeResources(def.cpus(), def.mem(), def.disk()), NodeResources::plus);
            }
            Set<Integer> nodePorts = ports.computeIfAbsent(task.nodeId(), n -> new HashSet<>());
            task.ports().stream().map(PortAssignment::port).forEach(nodePorts::add);
        }
        List<NodeCandidate> candidates = new ArrayList<>(nodes.size());
        for (NodeView node : nodes.values()) {
            NodeReport r = node.report();
            candidates.add(new NodeCandidate(r.nodeId(), r.host(),
                    r.capacity().minus(used.getOrDefault(r.nodeId(), NodeResources.NONE)), r.ports(),
                    ports.getOrDefault(r.nodeId(), Set.of()), node.reachable(now, settings.nodeTimeout())));
        }
        return candidates;
    }

    private int graceSeconds() {
        return (int) settings.killGracePeriod().toSeconds();
    }

    /** Collects actions and applies each one to the state as it is emitted. */
    private final class Plan {
        final List<Action> actions = new ArrayList<>();

        void recordApp(AppState app) {
            apps.put(app.appId(), app);
            actions.add(new Action.RecordApp(app));
        }

        void removeApp(String appId) {
            apps.remove(appId);
            unplaced.remove(appId);
            relaunchNotBefore.remove(appId);
            actions.add(new Action.RemoveApp(appId));
        }

        void recordTask(TaskRecord task) {
            tasks.put(task.taskId(), task);
            actions.add(new Action.RecordTask(task));
        }

        void removeTask(String taskId) {
            tasks.remove(taskId);
            actions.add(new Action.RemoveTask(taskId));
        }

        void send(dev.berth.contracts.messages.NodeCommand command) {
            actions.add(new Action.SendToNode(command));
        }
    }
}
