package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.KillSelection;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.scheduler.deployment.Rollout;
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
        AppDefinition def = app.definition();
        Deployments deployments = plan.deployments();
        Rollout.Limits limits = deployments.limits(app, plan.tasksOf(appId));
        settleReplacements(app, limits, plan);
        List<TaskRecord> all = plan.tasksOf(appId);
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
        // While canaries are tried, a missing old instance comes back as it was (see Deployments).
        Deployment asOld = deployments.relaunchOld(app).orElse(null);
        if (delayedUntil == null) {
            // Tasks launched for an older configuration (a restart, an update, a rollback) are replaced
            // within the deployment's limits: a new one beside the old while extra instances are allowed;
            // else the old one stopped first while enough others are up (its instance is placed again
            // below). Old tasks that are not up go first: stopping them costs no capacity.
            int newOnes = (int) all.stream().filter(t -> t.desired() == DesiredState.RUN
                    && app.isCurrent(t.appVersion())).count();
            int beside = limits.newBeside();
            int stopFirst = limits.oldToStop();
            List<TaskRecord> outdated = slots.stream().filter(t -> !app.isCurrent(t.appVersion())
                            && !replacementOf.containsKey(t.taskId()))
                    .sorted(Comparator.comparing((TaskRecord t) -> deployments.countsUp(app, t))).toList();
            for (TaskRecord slot : outdated) {
                boolean up = deployments.countsUp(app, slot);
                if (beside > 0 && newOnes < limits.newAtMost()) {
                    launches.add(new Launch(slot.instance(), slot, false));
                    beside--;
                    newOnes++;
                } else if (limits.rolling() && (!up || stopFirst > 0)) {
                    plan.stop(slot, "upgraded to version " + app.version());
                    slots.remove(slot);
                    stopFirst -= up ? 1 : 0;
                }
            }
            Set<Integer> taken = new HashSet<>();
            slots.forEach(t -> taken.add(t.instance()));
            launches.forEach(l -> taken.add(l.instance()));
            int instance = 0;
            for (int missing = def.instances() - slots.size(); missing > 0; missing--) {
                while (taken.contains(instance)) {
                    instance++;
                }
                taken.add(instance);
                launches.add(0, new Launch(instance, null, asOld != null));
            }
            if (!hopeless) {
                launches.forEach(l -> requests.add(request(l.old() ? asOld.from() : def, TaskIds.newTaskId(appId))));
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
                    if (launch.old()) {
                        launch(asOld.from(), asOld.fromVersion(), app.id(), requests.get(i).taskId(),
                                launch.instance(), placed, null, plan);
                    } else {
                        launch(app, requests.get(i).taskId(), launch.instance(), placed,
                                launch.replacing() == null ? null : launch.replacing().taskId(), plan);
                    }
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
                def.hostPorts(), def.constraints(), def.affinity(), def.placementStrategy(), Set.of(), null,
                def.user(), def.isolation().filesystem(), def.containerPorts(),
                def.isolation().network() == Isolation.Network.BRIDGE);
    }

    void launch(AppState app, String taskId, int instance, PlacementResult.Placed where, String replaces,
                        Plan plan) {
        launch(app.definition(), app.version(), app.id(), taskId, instance, where, replaces, plan);
    }

    /** Launches a task of {@code def} as it was at app version {@code version} (an old one, during a deployment). */
    private static void launch(AppDefinition def, long version, String cause, String taskId, int instance,
                               PlacementResult.Placed where, String replaces, Plan plan) {
        TaskRecord task = TaskRecord.launched(cause, taskId, def.id(), version, instance, where.nodeId(),
                where.host(), where.ports(), plan.now(), replaces);
        plan.recordTask(task);
        plan.send(LaunchTask.of(where.nodeId(), taskId, def.id(), version, SchedulerCore.spec(def, where.ports(), List.of()),
                task.id()));
    }

    /**
     * Replacements starting beside their originals: one of a configuration the app no longer has (a
     * canary after a rollback) is stopped; one that is up takes over (its original stopped), unless the
     * deployment holds the originals while canaries are tried. A replacement taking over as its status
     * arrives is the usual way; this catches the ones a promote or a rollback released.
     */
    private void settleReplacements(AppState app, Rollout.Limits limits, Plan plan) {
        for (TaskRecord r : List.copyOf(plan.tasksOf(app.appId()))) {
            if (r.desired() != DesiredState.RUN || r.replaces() == null) {
                continue;
            }
            if (!app.isCurrent(r.appVersion())) {
                plan.stop(r, "rolled back to version " + app.version());
            } else if (!limits.holdOld() && plan.deployments().countsUp(app, r)) {
                plan.task(r.replaces()).filter(o -> o.desired() == DesiredState.RUN)
                        .ifPresent(o -> plan.stop(o, "replaced by " + r.taskId()));
                plan.recordTask(r.settled(r.id(), plan.now()));
            }
        }
    }

    /**
     * One instance to launch; {@code replacing} is the task it takes over from, if any; {@code old}: with
     * the definition the deployment rolls away from.
     */
    private record Launch(int instance, TaskRecord replacing, boolean old) {
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
