package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.scheduler.deployment.Rollout;
import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeAvailability;
import dev.berth.scheduler.placement.PlacementEngine;
import dev.berth.scheduler.placement.PlacementResult;
import dev.berth.scheduler.placement.TaskRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a stateful app (one with volumes) is reconciled: by identity ({@code db-0}, {@code db-1}), each
 * owning its volumes. Instance {@code i} is identity {@code db-i}; identities {@code 0 … instances-1}
 * are wanted, those above are stopped, highest first whatever the kill selection (as a StatefulSet
 * scales down), and their volumes released once their tasks ended. An identity:
 * <ul>
 *   <li>is placed again only once its previous task has ended, so that its volumes are free;</li>
 *   <li>waits while no node serves its volume drivers, while the node its local volume lives on is
 *       away (unless the app's {@code unreachableStrategy} replaces it after a while), or while a lost
 *       node's lease still covers one of its external volumes;</li>
 *   <li>returns to the node its local volume lives on, and, with external volumes only, prefers the
 *       node its previous task ran on while that node is fine and has room;</li>
 *   <li>is launched only once the volume service attached all its volumes (the handshake,
 *       {@link VolumeHandshakes});</li>
 *   <li>is restarted one at a time, stop first, only while every other identity runs.</li>
 * </ul>
 * Driven by {@link SchedulerCore}'s reconcile loop, which offers the task records, the nodes, backoffs
 * and the queue as the {@link SchedulerView} of each input and takes its {@link Changes}; the volumes'
 * own rules are {@link StatefulVolumes}.
 */
final class StatefulReconciler {
    private final StatefulVolumes volumes;
    private final PlacementEngine engine;
    /** The core's picture of the nodes; placement allocates into it, as the core's own does. */
    private final Cluster cluster;
    /** The volume drivers some registered node serves; null when a node changed and it must be counted again. */
    private Set<String> offeredProviders;
    /**
     * appId → instance → why it was given fresh volumes, for the record of its next task (an audited
     * act). Only a note: a scheduler that takes over before that task is placed places it without.
     */
    private final Map<String, Map<Integer, String>> replacementNotes = new HashMap<>();

    private final Deployments deployments;

    private final VolumeHandshakes handshakes;

    StatefulReconciler(StatefulVolumes volumes, VolumeHandshakes handshakes, PlacementEngine engine, Cluster cluster,
                       Deployments deployments) {
        this.volumes = volumes;
        this.handshakes = handshakes;
        this.engine = engine;
        this.cluster = cluster;
        this.deployments = deployments;
    }

    /** Reconciles the stateful app by identity (see the class comment). */
    void reconcile(AppState app, SchedulerView view, Changes changes) {
        String appId = app.appId();
        AppDefinition def = app.definition();
        List<TaskRecord> all = view.tasksOf(appId);
        for (int i = all.size() - 1; i >= 0; i--) {
            TaskRecord task = all.get(i);
            if (task.desired() == DesiredState.RUN && task.instance() >= def.instances()) {
                changes.stop(task, "scaled down");
            }
        }
        boolean restarting = restartOneIdentity(app, view, changes);
        all = view.tasksOf(appId);
        Set<Integer> busy = new HashSet<>();
        all.forEach(t -> busy.add(t.instance()));

        Instant delayedUntil = view.delayedUntil(appId);
        boolean hopeless = view.searchedInVain(appId);
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
            IdentityVolumes identity = volumes.volumesOf(app, instance);
            String why = whyIdentityWaits(app, identity, view, changes);
            if (why == null) {
                // Again: an identity replaced just now (unreachableStrategy) has its next generation.
                app = view.app(appId).orElse(app);
                identity = volumes.volumesOf(app, instance);
            }
            if (why != null) {
                waiting++;
                reasons.merge(why, 1, Integer::sum);
            } else if (hopeless) {
                // Nothing that could make room has happened since the last search: the same answer.
                waiting++;
            } else {
                toPlace.add(identity);
                requests.add(request(def, TaskIds.newTaskId(appId), identity));
            }
        }
        String volumeFailure = handshakes.lastFailure(appId);
        if (delayedUntil != null && volumeFailure != null) {
            reasons.merge(volumeFailure, 1, Integer::sum);
        }
        if (hopeless) {
            view.unplacedReasons(appId).forEach((r, n) -> reasons.merge(r, n, Math::max));
        }
        boolean unplacedAny = false;
        if (!requests.isEmpty()) {
            List<PlacementResult> results = place(requests, toPlace);
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) instanceof PlacementResult.Placed placed) {
                    launch(app, requests.get(i).taskId(), toPlace.get(i), placed, view, changes);
                } else {
                    waiting++;
                    unplacedAny = true;
                    ((PlacementResult.Unplaced) results.get(i)).reasons().forEach((r, n) -> reasons.merge(r, n, Math::max));
                }
            }
        }
        changes.conclude(appId, new Pass(waiting, reasons, delayedUntil, unplacedAny, hopeless, restarting));
        volumes.collect(appId, app, view.tasksOf(appId), view.now(), changes);
    }

    /**
     * Why the identity cannot be placed now, or null when it can. An identity whose local volume's
     * node has been unreachable for the app's {@code unreachableStrategy.replaceAfterSeconds} is
     * replaced here (fresh volumes, placed anywhere) instead of waiting on.
     */
    private String whyIdentityWaits(AppState app, IdentityVolumes identity, SchedulerView view, Changes changes) {
        Set<String> offered = offeredProviders();
        for (String provider : identity.providers()) {
            if (!offered.contains(provider)) {
                return "no node offers volume provider " + provider;
            }
        }
        Optional<String> pinned = volumes.pinnedNode(identity);
        if (pinned.isPresent() && !ready(pinned.get())) {
            Integer replaceAfter = app.definition().unreachableStrategy().replaceAfterSeconds();
            if (replaceAfter != null
                    && view.unreachableSince(pinned.get()).plusSeconds(replaceAfter).compareTo(view.now()) <= 0) {
                replace(app, identity.instance(), null, "node " + pinned.get() + " unreachable for more than "
                        + replaceAfter + " s (unreachableStrategy)", view, changes);
                // Fresh volumes live nowhere yet: the identity may go to any node.
                return null;
            }
            return "waiting for node " + pinned.get() + ", which holds its local volume";
        }
        return volumes.leaseWait(identity, null, view.now())
                .map(wait -> "waiting for the lease of lost node " + wait.nodeId() + " to run out")
                .orElse(null);
    }

    private TaskRequest request(AppDefinition def, String taskId, IdentityVolumes identity) {
        return new TaskRequest(taskId, def.id(), new NodeResources(def.cpus(), def.mem(), def.disk()),
                def.hostPorts(), def.constraints(), def.affinity(), def.placementStrategy(),
                identity.providers(), volumes.pinnedNode(identity).orElse(null), def.user(),
                def.isolation().filesystem(), def.containerPorts(), def.isolation().network() == Isolation.Network.BRIDGE);
    }

    /**
     * Places the identities in order. One with external volumes only whose previous task ran on a node
     * that is still ready is tried there first, and placed anywhere only if it does not fit there: a
     * task that crashed on a healthy node comes back beside its data's caches (the shared filesystem's
     * client cache, the page cache) and without moving anything, as the design promises for transient
     * failures. A lost node is not preferred: its volumes are fenced and follow the identity elsewhere.
     */
    private List<PlacementResult> place(List<TaskRequest> requests, List<IdentityVolumes> identities) {
        List<String> preferred = new ArrayList<>();
        List<TaskRequest> first = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            TaskRequest request = requests.get(i);
            String node = request.pinnedNodeId() != null ? null
                    : volumes.lastNode(identities.get(i)).filter(this::ready).orElse(null);
            preferred.add(node);
            first.add(node == null ? request : request.pinnedTo(node));
        }
        List<PlacementResult> results = new ArrayList<>(engine.place(first, cluster));
        for (int i = 0; i < results.size(); i++) {
            if (preferred.get(i) != null && results.get(i) instanceof PlacementResult.Unplaced) {
                // No room there: anywhere else will do (the reasons are those of the wider search).
                results.set(i, engine.place(List.of(requests.get(i)), cluster).get(0));
            }
        }
        return results;
    }

    private boolean ready(String nodeId) {
        return cluster.node(nodeId).isPresent() && cluster.mode(nodeId) == NodeAvailability.READY;
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

    /** A node joined, changed or was forgotten: the drivers offered are counted again when next needed. */
    void nodesChanged() {
        offeredProviders = null;
    }


    /**
     * The identity's task is placed: recorded STAGING with its volumes awaited, and each volume
     * attached (after the detach or fence of its old holder). The launch waits for every ATTACHED.
     */
    private void launch(AppState app, String taskId, IdentityVolumes identity, PlacementResult.Placed where,
                        SchedulerView view, Changes changes) {
        AppDefinition def = app.definition();
        TaskRecord task = TaskRecord.launchedWithVolumes(app.id(), taskId, def.id(), app.version(),
                identity.instance(), identity.identity(), where.nodeId(), where.host(), where.ports(), view.now(), null,
                identity.mounts());
        Map<Integer, String> notes = replacementNotes.get(app.appId());
        String note = notes == null ? null : notes.remove(identity.instance());
        if (note != null) {
            // The replacement is an operator-visible act: its first task says so.
            task = task.observed(TaskState.STAGING, note, null, app.id(), view.now());
        }
        changes.recordTask(task);
        volumes.attach(identity, task, changes);
    }

    // ---- restarts and replacements ------------------------------------------------------------------

    /**
     * Restarts a stateful app one identity at a time, in place: the outdated task is stopped first
     * (its volumes cannot be attached to a second task beside it) and its identity placed again once
     * it ended. The next one goes only when every identity runs again.
     *
     * @return whether a restart is still under way
     */
    private boolean restartOneIdentity(AppState app, SchedulerView view, Changes changes) {
        List<TaskRecord> all = view.tasksOf(app.appId());
        int n = app.definition().instances();
        List<TaskRecord> outdated = all.stream().filter(t -> t.desired() == DesiredState.RUN
                && !app.isCurrent(t.appVersion()) && t.instance() < n)
                .sorted(java.util.Comparator.comparingInt(TaskRecord::instance)).toList();
        if (outdated.isEmpty()) {
            return false;
        }
        Rollout.Limits limits = deployments.limits(app, all);
        if (limits == Rollout.Limits.NONE) {
            if (allIdentitiesRun(app, view)) {
                changes.stop(outdated.get(0), "restarted");
            }
            return true;
        }
        if (!limits.replacing()) {
            // A failed deployment: the app stays at the mix it reached.
            return false;
        }
        // In place, never two versions on one volume: an identity is stopped first and placed again with
        // the new definition once its task has ended. As many go at once as the deployment allows (one
        // at a time while canaries are tried), counting every identity that does not serve as one of
        // them. An old task RUNNING with its health not known yet serves (it did before the change); a
        // new one serves once it is up.
        int serving = (int) all.stream().filter(t -> t.instance() < n && deployments.serves(app, t)).count();
        int down = n - serving;
        int allowed = limits.holdOld() ? Math.min(1, limits.stopAtMost()) : limits.servingToStop();
        // While canaries are tried, every identity stopped comes back as one: no more than are wanted, and
        // the first identities, as the plan says. During the roll, identities that do not serve go first:
        // they are down already, so stopping them costs nothing.
        int stops = limits.holdOld() ? allowed : Integer.MAX_VALUE;
        List<TaskRecord> order = limits.holdOld() ? outdated : outdated.stream().sorted(java.util.Comparator
                .comparing((TaskRecord t) -> deployments.serves(app, t))
                .thenComparingInt(TaskRecord::instance)).toList();
        for (TaskRecord t : order) {
            boolean serves = deployments.serves(app, t);
            if (stops == 0) {
                break;
            }
            if (serves && down >= allowed) {
                continue;
            }
            changes.stop(t, "upgraded in place to version " + app.version());
            stops--;
            down += serves ? 1 : 0;
        }
        return true;
    }

    /** Every identity of the app runs, and no task of it is stopping or starting. */
    boolean allIdentitiesRun(AppState app, SchedulerView view) {
        List<TaskRecord> all = view.tasksOf(app.appId());
        return all.stream().allMatch(t -> t.desired() == DesiredState.RUN && t.state().isActive())
                && all.size() >= app.definition().instances();
    }

    /**
     * Moves an identity whose volumes are all external off a draining node, stop first: its volumes
     * cannot be attached to a second task beside it. Call only while {@link #allIdentitiesRun}. It goes
     * only if another node has room for it now, so that it is not taken down with nowhere to go; the
     * task is stopped, and once it has ended (its volumes detached) the identity is placed by the usual
     * rules, which never choose a draining node nor prefer the one it ran on while that node drains.
     *
     * @return Placed when the task was stopped; Unplaced with why the identity stays for now
     */
    PlacementResult moveOffDrainingNode(AppState app, TaskRecord task, String nodeId, Changes changes) {
        String probe = TaskIds.newTaskId(app.appId());
        PlacementResult result = engine.place(List.of(request(app.definition(), probe,
                volumes.volumesOf(app, task.instance()))), cluster).get(0);
        // Only a probe: the engine allocated it, but the identity is placed for real once its task ended.
        cluster.release(probe);
        if (result instanceof PlacementResult.Placed) {
            changes.stop(task, "moving off draining node " + nodeId);
        }
        return result;
    }

    /**
     * An operator's (or the gateway's) ReplaceInstance: the identity gets fresh volumes and is placed
     * anew. The same command again (a redelivery) finds itself the cause of the app's latest state,
     * and does nothing the second time, also on a scheduler that took over meanwhile.
     *
     * @return false when there is nothing to replace
     */
    boolean replaceInstance(AppState app, ReplaceInstance command, SchedulerView view, Changes changes) {
        AppDefinition def = app.definition();
        int instance = Volumes.instanceOf(app.appId(), command.identity());
        if (!def.isStateful() || instance < 0 || instance >= def.instances()
                || command.id().equals(app.correlationId())) {
            return false;
        }
        replace(app, instance, command.id(), "replaced by an operator"
                + (command.reason() == null || command.reason().isBlank() ? "" : ": " + command.reason()),
                view, changes);
        return true;
    }

    /**
     * Gives identity {@code instance} its next generation of volumes, recorded on the app's state so
     * that a scheduler taking over before the identity is placed again keeps it: the current volumes
     * are released (data kept, never destroyed) once no task holds them, and the identity's running
     * task, if any, is stopped so it can be placed afresh.
     *
     * @param cause the command that asked for it; null when the app's unreachableStrategy did
     */
    private void replace(AppState app, int instance, String cause, String why, SchedulerView view, Changes changes) {
        AppState next = volumes.replacing(app, instance, cause);
        changes.recordApp(next);
        String identity = Volumes.identity(app.appId(), instance);
        String note = "REPLACED: identity " + identity + " given fresh volumes (generation "
                + next.generation(identity) + "): " + why;
        replacementNotes.computeIfAbsent(app.appId(), a -> new HashMap<>()).put(instance, note);
        for (TaskRecord task : view.tasksOf(app.appId())) {
            if (task.instance() == instance && task.desired() == DesiredState.RUN) {
                changes.stop(task, note);
            }
        }
    }

    /** The app is gone: what was noted of its launches goes with it. */
    void appRemoved(String appId) {
        handshakes.appRemoved(appId);
        replacementNotes.remove(appId);
    }
}
