package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.KillSelection;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeMode;
import dev.berth.scheduler.placement.PlacementEngine;
import dev.berth.scheduler.placement.PlacementResult;
import dev.berth.scheduler.placement.TaskRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a stateless app is reconciled: its wanted instances (tasks that should run and replace no other)
 * are compared with {@code instances}; the surplus is stopped (tasks on draining or lost nodes first,
 * then by the app's kill selection), the missing are placed in one batch unless the app backs off, and
 * tasks launched for an older configuration are replaced, new one first: the replacement starts beside
 * its original, which is stopped once the replacement runs. Driven by {@link SchedulerCore} through the
 * {@link Plan} of each input; {@link NodeDrains} starts its replacements here too.
 */
final class StatelessReconciler {
    private final PlacementEngine engine;
    /** The core's picture of the nodes; placement allocates into it. */
    private final Cluster cluster;

    StatelessReconciler(PlacementEngine engine, Cluster cluster) {
        this.engine = engine;
        this.cluster = cluster;
    }

    void reconcile(AppState app, Plan plan) {
        String appId = app.appId();
        List<TaskRecord> all = plan.tasksOf(appId);
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
                plan.stop(victim, "scaled down");
                TaskRecord replacement = replacementOf.remove(victim.taskId());
                if (replacement != null) {
                    plan.stop(replacement, "scaled down");
                }
            }
            slots.removeAll(victims);
        }

        Instant delayedUntil = plan.delayedUntil(appId);
        boolean hopeless = plan.searchedInVain(appId);
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
        Map<String, Integer> reasons = new TreeMap<>();
        int waiting = delayedUntil == null ? 0 : Math.max(0, def.instances() - slots.size());
        if (delayedUntil == null && hopeless && !launches.isEmpty()) {
            // Nothing that could make room has happened since the last search: the same answer.
            waiting += launches.size();
            plan.unplacedReasons(appId).forEach((r, n) -> reasons.merge(r, n, Math::max));
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
                    plan.stop(launch.replacing(), "restarted");
                    restarting = true;
                } else {
                    waiting++;
                    unplacedAny = true;
                    ((PlacementResult.Unplaced) results.get(i)).reasons().forEach((r, n) -> reasons.merge(r, n, Math::max));
                }
            }
        }
        restarting |= !replacementOf.isEmpty();
        plan.conclude(appId, new SchedulerCore.Pass(waiting, reasons, delayedUntil, unplacedAny, hopeless && !launches.isEmpty(),
                restarting));
    }

    /** What placement needs to know of a stateless app's new task. */
    static TaskRequest request(AppDefinition def, String taskId) {
        return new TaskRequest(taskId, def.id(), new NodeResources(def.cpus(), def.mem(), def.disk()),
                def.portDefinitions(), def.constraints(), def.affinity(), def.placementStrategy());
    }

    void launch(AppState app, String taskId, int instance, PlacementResult.Placed where, String replaces,
                        Plan plan) {
        AppDefinition def = app.definition();
        TaskRecord task = TaskRecord.launched(app.id(), taskId, def.id(), app.version(), instance, where.nodeId(),
                where.host(), where.ports(), plan.now(), replaces);
        plan.recordTask(task);
        plan.send(LaunchTask.of(where.nodeId(), taskId, def.id(), app.version(), SchedulerCore.spec(def, where.ports(), List.of()),
                task.id()));
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
}
