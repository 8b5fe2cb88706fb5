package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.KillSelection;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.scheduler.deployment.Rollout;
import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeAvailability;
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
 * its original, which is stopped once the replacement runs. Driven by {@link SchedulerCore}'s reconcile
 * loop: it reads the {@link SchedulerView} of the input and makes its {@link Changes}, and places
 * nothing but what it decided; {@link NodeDrains} starts its replacements here too.
 */
final class StatelessReconciler {
    private final PlacementEngine engine;
    /** The core's picture of the nodes; placement allocates into it. */
    private final Cluster cluster;
    private final Deployments deployments;

    StatelessReconciler(PlacementEngine engine, Cluster cluster, Deployments deployments) {
        this.engine = engine;
        this.cluster = cluster;
        this.deployments = deployments;
    }

    void reconcile(AppState app, SchedulerView view, Changes changes) {
        String appId = app.appId();
        AppDefinition def = app.definition();
        Rollout.Limits limits = deployments.limits(app, view.tasksOf(appId));
        if (settleReplacements(app, limits, view, changes)) {
            // Originals were stopped just now: they serve no more, and what may go next is counted without them.
            limits = deployments.limits(app, view.tasksOf(appId));
        }
        List<TaskRecord> all = view.tasksOf(appId);
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
                changes.stop(victim, "scaled down");
                TaskRecord replacement = replacementOf.remove(victim.taskId());
                if (replacement != null) {
                    changes.stop(replacement, "scaled down");
                }
            }
            slots.removeAll(victims);
        }

        Instant delayedUntil = view.delayedUntil(appId);
        boolean hopeless = view.searchedInVain(appId);
        List<TaskRequest> requests = new ArrayList<>();
        List<Launch> launches = new ArrayList<>();
        // While canaries are tried, a missing old instance comes back as it was (see Deployments).
        Deployment asOld = deployments.relaunchOld(app).orElse(null);
        // Instances held back because every task the over-capacity allows is on a node already.
        int heldBack = 0;
        if (delayedUntil == null) {
            // Tasks start only within the room the deployment leaves (instances + maximumOverCapacity,
            // counting every task not ended, those being stopped too). Missing instances have it first:
            // they restore the count.
            int room = limits.startAtMost();
            int missingNow = def.instances() - slots.size();
            int reserved = Math.min(missingNow, room);
            room -= reserved;
            // Tasks launched for an older configuration (a restart, an update, a rollback) are replaced
            // within the deployment's limits: a new one beside the old while there is room; else the old
            // one stopped first, if the deployment lets it go (its instance is placed again below once
            // there is room). Old tasks that do not serve (not running yet, or failing their checks) go
            // first: stopping them costs no capacity. One that runs with its health not known yet serves.
            int stopsLeft = limits.stopAtMost();
            int servingStopsLeft = limits.servingToStop();
            int newOnes = (int) all.stream().filter(t -> t.desired() == DesiredState.RUN
                    && app.isCurrent(t.appVersion())).count();
            List<TaskRecord> outdated = slots.stream().filter(t -> !app.isCurrent(t.appVersion())
                            && !replacementOf.containsKey(t.taskId()))
                    .sorted(Comparator.comparing((TaskRecord t) -> deployments.serves(app, t))
                            .thenComparing(t -> deployments.countsUp(app, t))).toList();
            for (TaskRecord slot : limits.replacing() ? outdated : List.<TaskRecord>of()) {
                boolean serves = deployments.serves(app, slot);
                if (room > 0 && newOnes < limits.newAtMost()) {
                    launches.add(new Launch(slot.instance(), slot, false));
                    room--;
                    newOnes++;
                } else if (stopsLeft > 0 && (!serves || servingStopsLeft > 0)) {
                    changes.stop(slot, "upgraded to version " + app.version());
                    slots.remove(slot);
                    stopsLeft--;
                    servingStopsLeft -= serves ? 1 : 0;
                }
            }
            Set<Integer> taken = new HashSet<>();
            slots.forEach(t -> taken.add(t.instance()));
            launches.forEach(l -> taken.add(l.instance()));
            // While canaries are tried, a missing instance comes back as a canary when one has no room
            // beside (it takes the place of an old one stopped for it), else as it was.
            int canariesShort = asOld == null ? 0 : Math.max(0, limits.newAtMost() - newOnes);
            int instance = 0;
            int missing = def.instances() - slots.size();
            for (int i = 0; i < missing; i++) {
                while (taken.contains(instance)) {
                    instance++;
                }
                if (i >= reserved) {
                    // Its old task, stopped just now or before, is still on its node: the instance
                    // starts once that one has ended.
                    heldBack++;
                    continue;
                }
                taken.add(instance);
                boolean asCanary = canariesShort > 0;
                canariesShort -= asCanary ? 1 : 0;
                launches.add(0, new Launch(instance, null, asOld != null && !asCanary));
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
            view.unplacedReasons(appId).forEach((r, n) -> reasons.merge(r, n, Math::max));
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
                                launch.instance(), placed, null, view, changes);
                    } else {
                        launch(app, requests.get(i).taskId(), launch.instance(), placed,
                                launch.replacing() == null ? null : launch.replacing().taskId(), view, changes);
                    }
                    restarting |= launch.replacing() != null;
                } else if (launch.replacing() != null) {
                    // No node has room for a new task beside the old one: stop the old one first; its
                    // instance is placed again once its resources are free (lifecycle.md, restarts).
                    changes.stop(launch.replacing(), "restarted");
                    restarting = true;
                } else {
                    waiting++;
                    unplacedAny = true;
                    ((PlacementResult.Unplaced) results.get(i)).reasons().forEach((r, n) -> reasons.merge(r, n, Math::max));
                }
            }
        }
        restarting |= !replacementOf.isEmpty() || heldBack > 0;
        changes.conclude(appId, new Pass(waiting, reasons, delayedUntil, unplacedAny, hopeless && !launches.isEmpty(),
                restarting));
    }

    /** What a task of {@code def} is launched with, on the ports and with the mounts it was given. */
    static TaskSpec spec(AppDefinition def, List<PortAssignment> ports, List<VolumeMount> mounts) {
        return new TaskSpec(def.cmd(), def.args(), def.env(), def.labels(), def.cpus(), def.mem(), def.disk(), ports,
                def.user(), def.healthChecks(), def.isolation(), mounts, def.container().docker());
    }

    /** What placement needs to know of a stateless app's new task. */
    static TaskRequest request(AppDefinition def, String taskId) {
        return new TaskRequest(taskId, def.id(), new NodeResources(def.cpus(), def.mem(), def.disk()),
                def.hostPorts(), def.constraints(), def.affinity(), def.placementStrategy(), Set.of(), null,
                def.user(), def.isolation().filesystem(), def.containerPorts(),
                def.isolation().network() == Isolation.Network.BRIDGE);
    }

    void launch(AppState app, String taskId, int instance, PlacementResult.Placed where, String replaces,
                        SchedulerView view, Changes changes) {
        launch(app.definition(), app.version(), app.id(), taskId, instance, where, replaces, view, changes);
    }

    /** Launches a task of {@code def} as it was at app version {@code version} (an old one, during a deployment). */
    private static void launch(AppDefinition def, long version, String cause, String taskId, int instance,
                               PlacementResult.Placed where, String replaces, SchedulerView view, Changes changes) {
        TaskRecord task = TaskRecord.launched(cause, taskId, def.id(), version, instance, where.nodeId(),
                where.host(), where.ports(), view.now(), replaces);
        changes.recordTask(task);
        changes.send(LaunchTask.of(where.nodeId(), taskId, def.id(), version, spec(def, where.ports(), List.of()),
                task.id()));
    }

    /**
     * Replacements starting beside their originals: one of a configuration the app no longer has (a
     * canary after a rollback) is stopped; one that is up takes over (its original stopped), unless the
     * deployment holds the originals while canaries are tried. A replacement taking over as its status
     * arrives is the usual way; this catches the ones a promote or a rollback released.
     *
     * @return whether it stopped or settled any task
     */
    private boolean settleReplacements(AppState app, Rollout.Limits limits, SchedulerView view, Changes changes) {
        boolean settled = false;
        for (TaskRecord r : List.copyOf(view.tasksOf(app.appId()))) {
            if (r.desired() != DesiredState.RUN || r.replaces() == null) {
                continue;
            }
            if (!app.isCurrent(r.appVersion())) {
                changes.stop(r, "rolled back to version " + app.version());
                settled = true;
            } else if (!limits.holdOld() && deployments.countsUp(app, r)) {
                view.task(r.replaces()).filter(o -> o.desired() == DesiredState.RUN)
                        .ifPresent(o -> changes.stop(o, "replaced by " + r.taskId()));
                changes.recordTask(r.settled(r.id(), view.now()));
                settled = true;
            }
        }
        return settled;
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
        Comparator<TaskRecord> nodeFirst = Comparator.comparing(t -> cluster.mode(t.nodeId()) == NodeAvailability.READY);
        return nodeFirst.thenComparing(byAge).thenComparing(TaskRecord::taskId);
    }
}
