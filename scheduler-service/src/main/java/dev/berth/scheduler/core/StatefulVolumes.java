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
import java.util.TreeMap;

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
 * <p>What decides an identity's volumes survives a failover: its generation and a delete's wipe are
 * on its {@link AppState} ({@code berth.apps}), the volumes themselves in the view
 * ({@code berth.volume-events}), their holders in the task records. What is kept only in memory here
 * (lost holders the view does not show yet, the handovers, releases and deletes already sent, the
 * apps whose releases wait for a lease) only saves repeats or covers the time until the volume
 * service's events arrive: a scheduler that takes over derives the same decisions from the topics.
 * The one thing it may lose is a soft preference: the node an external volume was last attached to
 * is known only while the topic still holds a snapshot that names it (see {@link #lastNode}).
 */
final class StatefulVolumes {
    /** Where the decisions go: the {@link Changes} of the input. */
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

    /** The volumes identity {@code instance} of the app owns now, at its current {@link #generation}. */
    IdentityVolumes volumesOf(AppState app, int instance) {
        return IdentityVolumes.of(app.definition(), instance, generation(app, instance));
    }

    /**
     * The generation identity {@code instance} is at: the one its app's state records (raised by each
     * replacement, so a scheduler that takes over before the new volumes exist knows it), passed over
     * while the view shows that generation's volumes deleted (a wiped app created again): a deleted
     * volume cannot be attached again, so the next generation is fresh.
     */
    int generation(AppState app, int instance) {
        String identity = Volumes.identity(app.appId(), instance);
        Set<Integer> deleted = new HashSet<>();
        for (VolumeSnapshot volume : view.ofApp(app.appId())) {
            if (identity.equals(volume.identity()) && volume.state() == VolumeState.DELETED) {
                deleted.add(IdentityVolumes.generationOf(volume.volumeId()));
            }
        }
        int generation = app.generation(identity);
        while (deleted.contains(generation)) {
            generation++;
        }
        return generation;
    }

    /**
     * A new app under an id whose volumes the view still holds (an app deleted without wipe, created
     * again) takes its identities up where those volumes are, at the latest generation each reached,
     * as scaling back up would. Recorded with the app, so it is decided once.
     */
    AppState created(AppState app) {
        Map<String, Integer> generations = new TreeMap<>();
        for (VolumeSnapshot volume : view.ofApp(app.appId())) {
            int generation = IdentityVolumes.generationOf(volume.volumeId());
            if (volume.identity() != null && generation > 0) {
                generations.merge(volume.identity(), generation, Math::max);
            }
        }
        return generations.isEmpty() ? app : withGenerations(app, generations);
    }

    /**
     * The app's next state, with identity {@code instance} given fresh volumes: its generation one
     * past every one it has used (a generation passed over for deleted volumes, or used by an earlier
     * app of the same id, counts as used). Its current volumes become unwanted, and are released once
     * no task holds them.
     */
    AppState replacing(AppState app, int instance, String cause) {
        String identity = Volumes.identity(app.appId(), instance);
        int fresh = generation(app, instance) + 1;
        for (VolumeSnapshot volume : view.ofApp(app.appId())) {
            if (identity.equals(volume.identity())) {
                fresh = Math.max(fresh, IdentityVolumes.generationOf(volume.volumeId()) + 1);
            }
        }
        AppState next = app.replacing(identity, cause);
        if (next.generation(identity) == fresh) {
            return next;
        }
        Map<String, Integer> generations = new HashMap<>(next.generations());
        generations.put(identity, fresh);
        return withGenerations(next, generations);
    }

    private static AppState withGenerations(AppState app, Map<String, Integer> generations) {
        return new AppState(app.id(), app.schemaVersion(), app.occurredAt(), app.correlationId(), app.appId(),
                app.version(), app.definition(), app.deleting(), app.configVersion(), app.wipe(), generations,
                app.sameConfigVersions());
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
     * The node the identity's volumes were last attached to, where its previous task ran, when all of
     * them are external (a local volume pins its identity instead, see {@link #pinnedNode}); empty
     * when none was attached yet, or the view no longer knows where.
     */
    Optional<String> lastNode(IdentityVolumes identity) {
        if (identity.volumes().stream().anyMatch(v -> v.type() == VolumeType.LOCAL)) {
            return Optional.empty();
        }
        for (IdentityVolumes.Volume volume : identity.volumes()) {
            Optional<String> node = view.lastNode(volume.volumeId());
            if (node.isPresent()) {
                return node;
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

    /** Apps with a release waiting for a lost node's lease. */
    Collection<String> pendingApps() {
        return Set.copyOf(pending);
    }

    /**
     * Releases every volume of the app that no identity wants any more and no task holds: those of an
     * app that is deleted or gone, of identities scaled away, and of generations replaced. The volumes
     * of an app deleted with {@code wipe} are deleted right after their release (DeleteVolume needs
     * RELEASED; same key, so in order).
     *
     * @param app the app, or null when it is gone; an app being deleted lets go of nothing until its
     *            tasks have all ended
     * @return true when nothing is left to send: no release waits for a lost node's lease
     */
    boolean collect(String appId, AppState app, Collection<TaskRecord> appTasks, Instant now, Sink sink) {
        boolean deleting = app == null || app.deleting();
        if (app != null && app.deleting() && !appTasks.isEmpty()) {
            return false;
        }
        Set<String> held = new HashSet<>();
        appTasks.forEach(t -> t.volumes().forEach(m -> held.add(m.volumeId())));
        boolean waiting = false;
        // Read from the app's state, so a scheduler that takes over in the middle of a delete still wipes.
        boolean wipe = app != null && app.deleting() && app.wipe();
        for (VolumeSnapshot volume : view.ofApp(appId)) {
            String id = volume.volumeId();
            if (held.contains(id) || (!deleting && wanted(app, volume))) {
                continue;
            }
            if (VolumeView.inUse(volume) && !releaseSent.contains(id)) {
                if (leaseWait(id, null, now).isPresent()) {
                    waiting = true;
                    continue;
                }
                handOver(id, null, sink);
                String reason = deleting ? "app " + appId + " deleted"
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
        return !waiting;
    }

    /** The volume belongs to an identity the app still has, at its current generation. */
    private boolean wanted(AppState app, VolumeSnapshot volume) {
        AppDefinition def = app.definition();
        if (!def.isStateful()) {
            return false;
        }
        int instance = Volumes.instanceOf(def.id(), volume.identity());
        return instance >= 0 && instance < def.instances()
                && IdentityVolumes.generationOf(volume.volumeId()) == generation(app, instance);
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
