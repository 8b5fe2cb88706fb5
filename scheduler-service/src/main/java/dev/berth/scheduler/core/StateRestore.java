package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.VolumeEvent;

/**
 * Rebuilding a fresh {@link SchedulerCore} from the compacted topics when this process takes over
 * (one method per record, one {@code forget…} per tombstone), kept apart from the inputs because it
 * decides nothing and emits no action: it only puts back what the previous leader committed. Obtained
 * from {@link SchedulerCore#restore()}; used by the rebuild before the first input.
 */
public final class StateRestore {
    private final SchedulerState state;
    private final Deployments deployments;
    private final TaskHistories histories;
    private final NodeLiveness liveness;
    private final StatefulVolumes volumes;
    private final StatefulReconciler stateful;
    private final NodeDrains drains;
    private final RouteClaims routes;

    StateRestore(SchedulerState state, Deployments deployments, TaskHistories histories, NodeLiveness liveness,
                 StatefulVolumes volumes, StatefulReconciler stateful, NodeDrains drains, RouteClaims routes) {
        this.routes = routes;
        this.state = state;
        this.deployments = deployments;
        this.histories = histories;
        this.liveness = liveness;
        this.volumes = volumes;
        this.stateful = stateful;
        this.drains = drains;
    }

    public void app(AppState app) {
        state.putApp(app);
        deployments.remember(app.appId(), app.version(), app.definition());
        // Tasks read before their app were allocated without resources; count them properly now.
        state.tasksOfInIndexOrder(app.appId()).forEach(state::index);
        // After a takeover every app is looked at once: the old leader may have stopped mid-way.
        state.unsettle(app.appId());
    }

    public void forgetApp(String appId) {
        state.removeApp(appId);
        state.settle(appId);
    }

    public void task(TaskRecord task) {
        state.index(task);
    }

    public void forgetTask(String taskId) {
        state.unindex(taskId);
    }

    /** A deployment read while rebuilding: an unfinished one is carried on from where it was. */
    public void deployment(Deployment deployment) {
        deployments.restore(deployment);
    }

    public void forgetDeployment(String deploymentId) {
        deployments.forget(deploymentId);
    }

    /** An app version read while rebuilding: the definitions rollbacks and old tasks need. */
    public void version(AppVersion version) {
        deployments.restoreVersion(version);
    }

    public void forgetVersion(String appId, long version) {
        deployments.forgetVersion(appId, version);
    }

    /** A node report read during rebuild: its age counts from when it was written. */
    public void node(NodeReport report) {
        liveness.restored(report.nodeId(), report.occurredAt(), report.volumes().leaseMillis());
        state.cluster().putNode(NodeEvents.info(report));
        stateful.nodesChanged();
    }

    /** An operator's drain or undrain read during rebuild; the latest per node stands. */
    public void nodeAdmin(NodeAdminCommand command) {
        drains.apply(command);
    }

    /** A volume event read during rebuild: the latest snapshot per volume stands. */
    public void volume(VolumeEvent event) {
        volumes.observe(event.volume());
    }

    /** A tombstone on {@code berth.volume-events}. */
    public void forgetVolume(String volumeId) {
        volumes.forget(volumeId);
    }

    /** What became of an app's tasks, read while rebuilding: its failures and restarts count on. */
    public void history(AppTaskHistory history) {
        histories.restore(history);
    }

    public void forgetHistory(String appId) {
        histories.forget(appId);
    }

    /** Who owns which path and host, as the previous leader decided: kept, not decided again. */
    public void routes(dev.berth.contracts.messages.AppRoutes decided) {
        routes.restore(decided);
    }

    public void forgetRoutes(String appId) {
        routes.forget(appId);
    }

    /** What the previous leader said waits, so that entries of apps now settled can be withdrawn. */
    public void queue(AppQueue entry) {
        state.putQueue(entry);
    }

    public void forgetQueue(String appId) {
        state.removeQueue(appId);
    }
}
