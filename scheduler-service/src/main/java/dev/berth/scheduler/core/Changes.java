package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.TaskRecord;

/**
 * The change set of the input being handled, as Nomad's plan is: what the rules decide (records,
 * commands to nodes and to the volume service, deployments) is applied to the scheduler's state at once,
 * so the {@link SchedulerView} shows it, and turned into an {@link Action} for the edge to commit in the
 * input's one transaction. Nothing here reconciles: a rule that changed what an app should run marks
 * it with {@link #touch}, and {@link SchedulerCore} reconciles each touched app once, when the input's
 * rules are done.
 */
interface Changes extends StatefulVolumes.Sink {
    /** Records the app's new state, and its version on the app's history (what made it told from the states). */
    void recordApp(AppState app);

    /** Records the app's new state, and its version made by {@code change} ({@code AppVersion.UPDATED} …). */
    void recordApp(AppState app, String change);

    void recordTask(TaskRecord task);

    void removeTask(String taskId);

    /** Stops a task (desired STOP and a kill, or at once if it never launched). */
    void stop(TaskRecord task, String reason);

    /** The app failed: it backs off before it launches again. */
    void backOff(AppState app);

    /**
     * The app is to be reconciled, by whatever rules apply to it, once this input's rules are done (or,
     * if a pass over apps is under way, in the next round of it).
     */
    void touch(String appId);

    /** The app is looked at again on every tick until a pass over it finds it settled. */
    void unsettle(String appId);

    /** Ends the app's pass: its queue entry, whether it is searched again, whether it is looked at every tick. */
    void conclude(String appId, Pass pass);

    /** Records a deployment's new state ({@code before}: its last one, null when new), and announces the change. */
    void recordDeployment(Deployment before, Deployment after);

    /** Tombstones a deployment. */
    void removeDeployment(String deploymentId);

    /** Answers the app command being handled. */
    void reply(CommandReply reply);
}
