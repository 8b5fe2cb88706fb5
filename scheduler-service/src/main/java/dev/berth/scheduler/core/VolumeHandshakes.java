package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The attach handshake with the volume service, from the scheduler's side: a stateful task is recorded
 * with the volumes it awaits and launched only once the service has announced every one ATTACHED to it;
 * a refusal ends the task as a failure and makes its app back off; a scheduler that takes over picks up
 * the handshakes its predecessor left open. Kept apart from {@link StatefulReconciler}, which decides
 * where identities go, because these are answers to volume events (and a takeover), not a pass over an
 * app; the volumes' own rules are {@link StatefulVolumes}.
 */
final class VolumeHandshakes {
    private final StatefulVolumes volumes;
    /** Why a stateful app's last launch failed at its volumes, shown on the queue while it backs off. */
    private final Map<String, String> lastFailures = new HashMap<>();

    VolumeHandshakes(StatefulVolumes volumes) {
        this.volumes = volumes;
    }

    /** Why the app's last launch failed at its volumes, or null when its last launch did not. */
    String lastFailure(String appId) {
        return lastFailures.get(appId);
    }

    /** The app is gone: what was noted of its launches goes with it. */
    void appRemoved(String appId) {
        lastFailures.remove(appId);
    }

    /** The task waits for no volume any more: it is launched, with every mount's epoch. */
    private void launchAttached(TaskRecord task, SchedulerView view, Changes changes) {
        Optional<AppState> app = view.app(task.appId());
        if (app.isEmpty()) {
            return;
        }
        AppDefinition def = app.get().definition();
        changes.send(LaunchTask.of(task.nodeId(), task.taskId(), def.id(), task.appVersion(),
                StatelessReconciler.spec(def, task.ports(), task.volumes()), task.id()));
        lastFailures.remove(task.appId());
    }

    // ---- the volume service's answers ---------------------------------------------------------------

    /**
     * A volume changed (the view has taken it already): an ATTACHED moves the launch of the task
     * waiting for it on, a refusal ends that task, and a deleted local volume is removed from its node.
     */
    void volumeChanged(VolumeEvent event, SchedulerView view, Changes changes) {
        switch (event.kind()) {
            case ATTACHED -> volumeAttached(event, view, changes);
            case ATTACH_REFUSED -> attachRefused(event, view, changes);
            case DELETED -> volumes.destroyIfLocalDeleted(event, changes);
            default -> {
            }
        }
    }

    /** ATTACHED for a task waiting for that volume: its launch moves on, and goes once nothing is awaited. */
    private void volumeAttached(VolumeEvent event, SchedulerView view, Changes changes) {
        TaskRecord task = event.taskId() == null ? null : view.task(event.taskId()).orElse(null);
        String volumeId = event.volumeId();
        if (task == null || !task.awaitingVolumes().contains(volumeId)
                || !Objects.equals(event.volume().attachedNodeId(), task.nodeId())) {
            // A repeat, or about a task that has ended meanwhile (its detach follows the attach).
            return;
        }
        TaskRecord updated = task.volumeAttached(volumeId, event.volume().fencingEpoch(), event.id(), view.now());
        changes.recordTask(updated);
        if (updated.awaitingVolumes().isEmpty()) {
            launchAttached(updated, view, changes);
        }
    }

    /** The volume service refused a volume: the task ends as a failure, and its app backs off. */
    private void attachRefused(VolumeEvent event, SchedulerView view, Changes changes) {
        TaskRecord task = event.taskId() == null ? null : view.task(event.taskId()).orElse(null);
        if (task == null || !task.awaitingVolumes().contains(event.volumeId())) {
            return;
        }
        String reason = TaskStatus.VOLUME_FAILED + ": volume " + event.volumeId() + ": "
                + (event.reason() == null ? "attach refused" : event.reason());
        changes.recordTask(task.observed(TaskState.FAILED, reason, null, event.id(), view.now()));
        changes.removeTask(task.taskId());
        volumes.taskEnded(task, false, changes);
        Optional<AppState> app = view.app(task.appId());
        if (app.isPresent() && task.desired() == DesiredState.RUN) {
            lastFailures.put(task.appId(), reason);
            changes.backOff(app.get());
            changes.touch(app.get().appId());
        }
    }

    /**
     * The first input after a takeover: the launches the previous scheduler left waiting for volumes
     * are taken up, and volumes no identity wants any more are let go of.
     */
    void resume(SchedulerView view, Changes changes) {
        resumeHandshakes(view, changes);
        for (String appId : volumes.appsWithVolumes()) {
            volumes.collect(appId, view.app(appId).orElse(null), view.tasksOf(appId), view.now(), changes);
        }
    }

    /** Every tick: releases that waited for a lost node's lease to run out. */
    void collectPending(SchedulerView view, Changes changes) {
        for (String appId : volumes.pendingApps()) {
            volumes.collect(appId, view.app(appId).orElse(null), view.tasksOf(appId), view.now(), changes);
        }
    }

    /**
     * Tasks the previous scheduler placed whose volumes were not all attached yet. A volume the view
     * already shows attached to the task counts; for the others the attach is sent again (the service
     * answers a repeat with ATTACHED); a task with nothing left to wait for launches.
     */
    private void resumeHandshakes(SchedulerView view, Changes changes) {
        for (TaskRecord task : List.copyOf(view.tasks())) {
            Optional<AppState> app = view.app(task.appId());
            if (task.awaitingVolumes().isEmpty() || app.isEmpty() || task.volumes().isEmpty()) {
                continue;
            }
            if (task.desired() != DesiredState.RUN) {
                changes.stop(task, "stopped before its volumes were attached");
                continue;
            }
            IdentityVolumes identity = IdentityVolumes.of(app.get().definition(), task.instance(),
                    IdentityVolumes.generationOf(task.volumes().get(0).volumeId()));
            TaskRecord current = task;
            for (String volumeId : task.awaitingVolumes()) {
                Optional<VolumeSnapshot> known = volumes.volume(volumeId);
                if (known.isPresent() && known.get().state() == VolumeState.ATTACHED
                        && task.taskId().equals(known.get().attachedTaskId())
                        && task.nodeId().equals(known.get().attachedNodeId())) {
                    current = current.volumeAttached(volumeId, known.get().fencingEpoch(), null, view.now());
                } else {
                    volumes.attachAgain(identity, volumeId, task, changes);
                }
            }
            if (current != task) {
                changes.recordTask(current);
                if (current.awaitingVolumes().isEmpty()) {
                    launchAttached(current, view, changes);
                }
            }
        }
    }
}
