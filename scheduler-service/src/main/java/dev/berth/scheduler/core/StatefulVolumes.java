package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.DestroyVolume;
import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The scheduler's side of stateful identities: which volumes an identity owns (its generation), the
 * node its local volume pins it to, what must happen before a volume changes hands, and which
 * volumes no identity wants any more (released, or deleted by a wipe). Plain Java, driven by
 * {@link SchedulerCore}, which owns the task records and the nodes.
 *
 * <p><b>Handing a volume over.</b> A volume the service last saw attached to a task that is no
 * longer ours to run is detached first when that task's node is reachable (its task ended there);
 * when the node is lost it is fenced, but only once the node's lease has surely run out (see
 * {@link Nodes#leaseOverAt}): before that, the old task may still be writing. The detach or fence is
 * sent before the attach or release that needs it, on the same key, so the service sees them in order.
 *
 * <p>What is kept only in memory here (lost holders the view does not show yet, the handovers and
 * releases already sent, a replacement's generation before its volumes exist, a wipe in progress)
 * only saves repeats or covers the time until the volume service's events arrive: a scheduler that
 * takes over derives the same decisions from the task records and {@code berth.volume-events}. Two
 * things are lost with it: a replacement not yet placed falls back to the identity's released
 * volumes, and a wipe still waiting for its app's tasks to end becomes a plain release.
 */
final class StatefulVolumes {
    /** Where the decisions go: the core's plan. */
    interface Sink {
        void send(VolumeCommand command);

        void send(NodeCommand command);
    }

    /** What the core knows of nodes that the handover rules need. */
    interface Nodes {
        /** Registered and heard within the node timeout. */
        boolean reachable(String nodeId);

        /**
         * From when a lost node's tasks have surely stopped by their lease: when it was last heard
         * (or when this scheduler went live, if later), plus its lease, plus the margin.
         */
        Instant leaseOverAt(String nodeId);
    }

    /** The node and task the volume is (or was last) attached to. */
    record Holder(String nodeId, String taskId) {
    }

    private final VolumeView view = new VolumeView();
    private final Nodes nodes;
    /** Volumes held by tasks lost with their node, until the view shows them fenced or taken over. */
    private final Map<String, Holder> lostHolders = new HashMap<>();
    /** The holder each volume was last detached or fenced from, so the order is not sent twice. */
    private final Map<String, Holder> handedOver = new HashMap<>();
    private final Set<String> releaseSent = new HashSet<>();
    private final Set<String> deleteSent = new HashSet<>();
    /** appId → instance → generation given by a replacement, until its volumes show in a record or the view. */
    private final Map<String, Map<Integer, Integer>> replacedGenerations = new HashMap<>();
    /** Apps deleted with {@code wipe}: their volumes are deleted once released. */
    private final Set<String> wiped = new HashSet<>();
    /** Apps with a volume to release that waits for a lost node's lease: looked at on every tick. */
    private final Set<String> pending = new LinkedHashSet<>();

    StatefulVolumes(Nodes nodes) {
        this.nodes = nodes;
    }

    // ---- the view ---------------------------------------------------------------------------------

    /**
     * Takes the volume's latest snapshot into the view and drops what it makes obsolete.
     *
     * @return false when the event was older than what the view holds (a redelivery): ignore it
     */
    boolean observe(VolumeSnapshot volume) {
        if (!view.apply(volume)) {
            return false;
        }
        String id = volume.volumeId();
        Holder holder = VolumeView.held(volume) ? new Holder(volume.attachedNodeId(), volume.attachedTaskId()) : null;
        if (handedOver.containsKey(id) && !handedOver.get(id).equals(holder)) {
            handedOver.remove(id);
        }
        Holder lost = lostHolders.get(id);
        if (lost != null && (!VolumeView.inUse(volume) || volume.state() == VolumeState.FENCED
                || (holder != null && !holder.equals(lost)))) {
            lostHolders.remove(id);
        }
        if (volume.state() == VolumeState.DELETED) {
            deleteSent.remove(id);
            releaseSent.remove(id);
        }
        return true;
    }

    void forget(String volumeId) {
        view.forget(volumeId);
    }

    Optional<VolumeSnapshot> volume(String volumeId) {
        return view.get(volumeId);
    }

    /** The apps that have volumes in the view. */
    Collection<String> appsWithVolumes() {
        return view.apps();
    }

    /** A deleted local volume's data lives on its node: its agent is told to remove it. */
    void destroyIfLocalDeleted(VolumeEvent event, Sink sink) {
        VolumeSnapshot volume = event.volume();
        if (event.kind() == VolumeEvent.Kind.DELETED && volume.type() == VolumeType.LOCAL && volume.nodeId() != null) {
            sink.send(DestroyVolume.of(volume.nodeId(), volume.volumeId(), event.id()));
        }
    }

    // ---- identities -------------------------------------------------------------------------------

    /**
     * The volumes identity {@code instance} owns now: those of its current generation, the highest one
     * known from its task records, the view, or a replacement. A generation whose volumes were all
     * deleted (the app was wiped, then created again) is not reused: the next one is fresh.
     */
    IdentityVolumes volumesOf(AppDefinition def, int instance, Collection<TaskRecord> appTasks) {
        return IdentityVolumes.of(def, instance, generation(def.id(), instance, appTasks));
    }

    private int generation(String appId, int instance, Collection<TaskRecord> appTasks) {
        int generation = replacedGenerations.getOrDefault(appId, Map.of()).getOrDefault(instance, 0);
        for (TaskRecord task : appTasks) {
            if (task.instance() == instance) {
                for (VolumeMount mount : task.volumes()) {
                    generation = Math.max(generation, IdentityVolumes.generationOf(mount.volumeId()));
                }
            }
        }
        String identity = Volumes.identity(appId, instance);
        boolean deleted = false;
        for (VolumeSnapshot volume : view.ofApp(appId)) {
            if (identity.equals(volume.identity())) {
                int g = IdentityVolumes.generationOf(volume.volumeId());
                if (g > generation) {
                    generation = g;
                    deleted = false;
                }
                if (g == generation) {
                    deleted |= volume.state() == VolumeState.DELETED;
                }
            }
        }
        return deleted ? generation + 1 : generation;
    }

    /**
     * Gives the identity fresh volumes: its next generation is one past every generation known. Its
     * current volumes become unwanted, and are released once no task holds them.
     */
    int replace(String appId, int instance, Collection<TaskRecord> appTasks) {
        int next = generation(appId, instance, appTasks) + 1;
        for (VolumeSnapshot volume : view.ofApp(appId)) {
            if (Volumes.identity(appId, instance).equals(volume.identity())) {
                next = Math.max(next, IdentityVolumes.generationOf(volume.volumeId()) + 1);
            }
        }
        replacedGenerations.computeIfAbsent(appId, a -> new HashMap<>()).put(instance, next);
        return next;
    }

    /**
     * The node the identity's local volume lives on, which it must return to; empty when it has no
     * local volume yet (the first placement chooses the node, and the volume is created there).
     */
    Optional<String> pinnedNode(IdentityVolumes identity) {
        for (IdentityVolumes.Volume volume : identity.volumes()) {
            if (volume.type() != VolumeType.LOCAL) {
                continue;
            }
            Optional<VolumeSnapshot> known = view.get(volume.volumeId());
            if (known.isPresent() && known.get().state() != VolumeState.DELETED && known.get().nodeId() != null) {
                return Optional.of(known.get().nodeId());
            }
            Holder lost = lostHolders.get(volume.volumeId());
            if (lost != null) {
                return Optional.of(lost.nodeId());
            }
        }
        return Optional.empty();
    }

    /**
     * A lost node whose lease must run out before one of the identity's volumes may be attached to
     * {@code taskId}, and until when; empty when every volume may be handed over now.
     */
    Optional<LeaseWait> leaseWait(IdentityVolumes identity, String taskId, Instant now) {
        for (IdentityVolumes.Volume volume : identity.volumes()) {
            Optional<LeaseWait> wait = leaseWait(volume.volumeId(), taskId, now);
            if (wait.isPresent()) {
                return wait;
            }
        }
        return Optional.empty();
    }

    /** The lost node a volume's handover waits for, and when its lease is surely over. */
    record LeaseWait(String nodeId, Instant until) {
    }

    /**
     * Sends what the identity's task needs from the volume service: for each volume, the detach or
     * fence of an old holder if any (see the class comment), then the attach. Call only once
     * {@link #leaseWait} is empty.
     */
    void attach(IdentityVolumes identity, TaskRecord task, Sink sink) {
        for (IdentityVolumes.Volume volume : identity.volumes()) {
            handOver(volume.volumeId(), task.taskId(), sink);
            releaseSent.remove(volume.volumeId());
            deleteSent.remove(volume.volumeId());
            sink.send(identity.attach(volume, task.nodeId(), task.taskId(), task.id()));
        }
    }

    /**
     * A new scheduler found the task still waiting for {@code volumeId}: the attach is sent again (the
     * service answers a repeated attach with ATTACHED again). No detach or fence: the scheduler that
     * decided the attach sent them in the same transaction.
     */
    void attachAgain(IdentityVolumes identity, String volumeId, TaskRecord task, Sink sink) {
        identity.volume(volumeId).ifPresent(volume ->
                sink.send(identity.attach(volume, task.nodeId(), task.taskId(), task.id())));
    }

    /**
     * The task has ended. On a node that is still there its volumes are detached at once; on a lost
     * node they stay attached to it until the lease runs out and they are fenced (at the next
     * handover or release).
     */
    void taskEnded(TaskRecord task, boolean nodeLost, Sink sink) {
        for (VolumeMount mount : task.volumes()) {
            Holder holder = new Holder(task.nodeId(), task.taskId());
            if (nodeLost) {
                lostHolders.put(mount.volumeId(), holder);
            } else {
                sink.send(DetachVolume.of(mount.volumeId(), task.nodeId(), task.taskId(), task.id()));
                handedOver.put(mount.volumeId(), holder);
            }
        }
    }

    // ---- releasing what no identity wants ---------------------------------------------------------

    /** The app was deleted with {@code wipe}: its volumes are deleted once released. */
    void wipeOnRemoval(String appId) {
        wiped.add(appId);
    }

    /** The app id is taken by a new app: nothing of the old one's wipe or replacements applies to it. */
    void newApp(String appId) {
        wiped.remove(appId);
        replacedGenerations.remove(appId);
    }

    /** Apps with a release waiting for a lost node's lease. */
    Collection<String> pendingApps() {
        return Set.copyOf(pending);
    }

    /**
     * Releases every volume of the app that no identity wants any more and no task holds: those of an
     * app that is gone, of identities scaled away, and of generations replaced. A wiped app's volumes
     * are deleted right after their release (DeleteVolume needs RELEASED; same key, so in order).
     *
     * @param app the app, or null when it is gone; nothing is released while it is being deleted
     */
    void collect(String appId, AppState app, Collection<TaskRecord> appTasks, Instant now, Sink sink) {
        if (app != null && app.deleting()) {
            return;
        }
        Set<String> held = new HashSet<>();
        appTasks.forEach(t -> t.volumes().forEach(m -> held.add(m.volumeId())));
        boolean waiting = false;
        boolean wipe = app == null && wiped.contains(appId);
        for (VolumeSnapshot volume : view.ofApp(appId)) {
            String id = volume.volumeId();
            if (held.contains(id) || (app != null && wanted(app.definition(), volume, appTasks))) {
                continue;
            }
            if (VolumeView.inUse(volume) && !releaseSent.contains(id)) {
                if (leaseWait(id, null, now).isPresent()) {
                    waiting = true;
                    continue;
                }
                handOver(id, null, sink);
                String reason = app == null ? "app " + appId + " deleted"
                        : "identity " + volume.identity() + " no longer wanted (scaled down or replaced)";
                sink.send(ReleaseVolume.of(id, reason, null));
                releaseSent.add(id);
            }
            if (wipe && volume.state() != VolumeState.DELETED && !deleteSent.contains(id)) {
                sink.send(DeleteVolume.of(id, "app " + appId + " deleted with wipe", null));
                deleteSent.add(id);
            }
        }
        if (waiting) {
            pending.add(appId);
        } else {
            pending.remove(appId);
        }
    }

    /** The volume belongs to an identity the app still has, at its current generation. */
    private boolean wanted(AppDefinition def, VolumeSnapshot volume, Collection<TaskRecord> appTasks) {
        if (!def.isStateful()) {
            return false;
        }
        int instance = Volumes.instanceOf(def.id(), volume.identity());
        return instance >= 0 && instance < def.instances()
                && IdentityVolumes.generationOf(volume.volumeId()) == generation(def.id(), instance, appTasks);
    }

    /** The app is gone for good: what was remembered of its identities goes with it. */
    void appRemoved(String appId) {
        replacedGenerations.remove(appId);
    }

    // ---- handing over -----------------------------------------------------------------------------

    /** The old holder the volume must be taken from before {@code taskId} (null: a release) gets it. */
    private Optional<Holder> oldHolder(String volumeId, String taskId) {
        Holder holder = lostHolders.get(volumeId);
        if (holder == null) {
            holder = view.get(volumeId).filter(VolumeView::held)
                    .map(v -> new Holder(v.attachedNodeId(), v.attachedTaskId())).orElse(null);
        }
        if (holder == null || Objects.equals(holder.taskId(), taskId) || holder.equals(handedOver.get(volumeId))) {
            return Optional.empty();
        }
        return Optional.of(holder);
    }

    private Optional<LeaseWait> leaseWait(String volumeId, String taskId, Instant now) {
        Optional<Holder> holder = oldHolder(volumeId, taskId);
        if (holder.isEmpty() || nodes.reachable(holder.get().nodeId())) {
            return Optional.empty();
        }
        Instant until = nodes.leaseOverAt(holder.get().nodeId());
        return now.isBefore(until) ? Optional.of(new LeaseWait(holder.get().nodeId(), until)) : Optional.empty();
    }

    private void handOver(String volumeId, String taskId, Sink sink) {
        Optional<Holder> found = oldHolder(volumeId, taskId);
        if (found.isEmpty()) {
            return;
        }
        Holder holder = found.get();
        if (nodes.reachable(holder.nodeId())) {
            // Its task ended there (its detach may be in flight already; a second one changes nothing).
            sink.send(DetachVolume.of(volumeId, holder.nodeId(), holder.taskId(), null));
        } else {
            sink.send(FenceVolume.of(volumeId, holder.nodeId(), "node " + holder.nodeId()
                    + " lost and its lease over", null));
            lostHolders.remove(volumeId);
        }
        handedOver.put(volumeId, holder);
    }
}
