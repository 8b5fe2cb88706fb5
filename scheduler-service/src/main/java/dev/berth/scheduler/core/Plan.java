package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.TaskRecord;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plan of the input being handled: every change is applied to the core's state as it is emitted,
 * and turned into an {@link Action} for the edge to commit. It is also all that the rules working for
 * {@link SchedulerCore} ({@link StatelessReconciler}, {@link StatefulReconciler}, {@link NodeDrains}) see of the core during that
 * input: its task index, backoffs, queue and capacity, so they hold no other handle on it.
 */
interface Plan extends StatefulVolumes.Sink {
    Instant now();

    /** Records the app's new state, and its version on the app's history (what made it told from the states). */
    void recordApp(AppState app);

    /** Records the app's new state, and its version made by {@code change} ({@code AppVersion.UPDATED} …). */
    void recordApp(AppState app, String change);

    /** Answers the app command being handled. */
    void reply(CommandReply reply);

    void recordTask(TaskRecord task);

    void removeTask(String taskId);

    Optional<AppState> app(String appId);

    /** The app's tasks, by instance. */
    List<TaskRecord> tasksOf(String appId);

    Optional<TaskRecord> task(String taskId);

    Collection<TaskRecord> tasks();

    /** Stops a task (desired STOP and a kill, or at once if it never launched). */
    void stop(TaskRecord task, String reason);

    /** Reconciles the app again, by whatever rules apply to it. */
    void reconcile(AppState app);

    /** When the failing app may launch again; null when it is not backing off. */
    Instant delayedUntil(String appId);

    void backOff(AppState app);

    /**
     * True when the app's last search found no room and nothing that could make room has happened
     * since: the same search would fail again.
     */
    boolean searchedInVain(String appId);

    /** Why the app's instances waited at its last search, as the queue shows. */
    Map<String, Integer> unplacedReasons(String appId);

    /** Ends the app's pass: its queue entry, whether it is searched again, whether it is looked at every tick. */
    void conclude(String appId, SchedulerCore.Pass pass);

    /** When a node stopped being heard from long enough to count as unreachable. */
    Instant unreachableSince(String nodeId);

    /** The tasks recorded on a node. */
    Collection<TaskRecord> tasksOn(String nodeId);

    /** The app is looked at again on every tick until a pass over it finds it settled. */
    void unsettle(String appId);

    /**
     * Grows whenever room may have appeared: a search that failed at the current value would fail
     * again.
     */
    long capacityEpoch();

    /** The deployments of the apps: what governs a roll, and what the reconcilers may do now. */
    Deployments deployments();

    /** Records a deployment's new state ({@code before}: its last one, null when new), and announces the change. */
    void recordDeployment(dev.berth.contracts.messages.Deployment before, dev.berth.contracts.messages.Deployment after);

    /** Tombstones a deployment. */
    void removeDeployment(String deploymentId);
}
