package dev.berth.scheduler.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The public events ({@code berth.events}) the scheduler is the source of, built from the changes it
 * decides: an app's versions, its tasks' states and health verdicts, nodes coming and going and being
 * drained. The core emits each as an {@link Action.Announce} next to the record it announces, so the
 * event commits in the same transaction as the change (never announced for a change that was not
 * committed, never lost for one that was). Only changes are announced: a record written again with
 * the same state says nothing new, so redelivered inputs announce nothing. {@code docs/events.md}
 * shows an example of each.
 */
public final class Announcements {
    /** The {@code source} attribute of every event the scheduler publishes. */
    public static final String SOURCE = "/berth/scheduler";

    /** What an app event says, for created, updated and deleted alike. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AppData(String appId, long version, int instances, String change) {
    }

    /** What a task state event says: where the task runs, its new state and the one before. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskStateData(String taskId, String appId, String identity, String nodeId, String host,
                                TaskState state, TaskState previousState, String reason, Integer exitCode) {
    }

    /** What a health event says: the new verdict and the agent's report that led to it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskHealthData(String taskId, String appId, String identity, String nodeId, String host,
                                 TaskState verdict, TaskState previousState, HealthReport report) {
    }

    /** What a node event says; {@code tasksLost} only when it went down. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeData(String nodeId, String host, Integer tasksLost) {
    }

    private Announcements() {
    }

    // ---- apps -------------------------------------------------------------------------------------

    static CloudEvent appCreated(AppState app, Instant at) {
        return appEvent(EventTypes.APP_CREATED, app, null, at);
    }

    /** A new version of an app already known: {@code change} says what made it. */
    static CloudEvent appUpdated(AppState before, AppState after, Instant at) {
        return appUpdated(before, after, null, at);
    }

    /**
     * As {@link #appUpdated(AppState, AppState, Instant)}, with what made the version when the command
     * says it (an update that also changed the instance count is {@code updated}, not {@code scaled}).
     */
    static CloudEvent appUpdated(AppState before, AppState after, String change, Instant at) {
        return appEvent(EventTypes.APP_UPDATED, after, change != null ? change : change(before, after), at);
    }

    /** The app's tombstone: its last state is what was deleted. */
    static CloudEvent appDeleted(AppState last, Instant at) {
        return appEvent(EventTypes.APP_DELETED, last, null, at);
    }

    /**
     * What made a new version, most telling first: {@code deleting} (a delete accepted, the app's
     * tasks now stop; {@code app.deleted} follows once they are gone), {@code scaled},
     * {@code restarted}, {@code replaced} (an identity given fresh volumes), else {@code updated}.
     */
    static String change(AppState before, AppState after) {
        if (after.deleting() && !before.deleting()) {
            return "deleting";
        }
        if (after.definition().instances() != before.definition().instances()) {
            return "scaled";
        }
        if (after.configVersion() != before.configVersion()) {
            return "restarted";
        }
        if (!after.generations().equals(before.generations())) {
            return "replaced";
        }
        return "updated";
    }

    private static CloudEvent appEvent(String type, AppState app, String change, Instant at) {
        return CloudEvent.of(SOURCE, type, "apps" + app.appId(), CloudEvent.teamOf(app.appId()), at,
                new AppData(app.appId(), app.version(), app.definition().instances(), change));
    }

    // ---- deployments ------------------------------------------------------------------------------

    /** What a deployment event says: where it stands and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeploymentData(String deploymentId, String appId, long fromVersion, long toVersion,
                                 dev.berth.contracts.messages.DeploymentState state, String step, int currentStep,
                                 String reason, String cause) {
    }

    /**
     * A deployment changed: started, paused, a step further, or ended (succeeded, rolled back, else
     * failed: cancelled and superseded ones are announced as failed, their {@code state} says which).
     * Changes of its counts alone are not announced.
     */
    static Optional<CloudEvent> deployment(dev.berth.contracts.messages.Deployment before,
                                           dev.berth.contracts.messages.Deployment after, Instant at) {
        String type;
        if (before == null) {
            type = EventTypes.DEPLOYMENT_STARTED;
        } else if (before.state() == after.state() && before.currentStep() == after.currentStep()) {
            return Optional.empty();
        } else {
            type = switch (after.state()) {
                case PAUSED -> EventTypes.DEPLOYMENT_PAUSED;
                case RUNNING -> EventTypes.DEPLOYMENT_STEP;
                case SUCCEEDED -> EventTypes.DEPLOYMENT_SUCCEEDED;
                case ROLLED_BACK -> EventTypes.DEPLOYMENT_ROLLED_BACK;
                case FAILED, CANCELLED, SUPERSEDED -> EventTypes.DEPLOYMENT_FAILED;
            };
        }
        String step = after.currentStep() < after.steps().size() ? after.steps().get(after.currentStep()).action()
                : null;
        return Optional.of(CloudEvent.of(SOURCE, type, "deployments/" + after.deploymentId(),
                CloudEvent.teamOf(after.appId()), at, new DeploymentData(after.deploymentId(), after.appId(),
                        after.fromVersion(), after.toVersion(), after.state(), step, after.currentStep(),
                        after.reason(), after.cause())));
    }

    // ---- tasks ------------------------------------------------------------------------------------

    /**
     * The task's observed state changed: from {@code before} (null for a task just placed, which
     * announces its STAGING) to {@code after}. Empty when the state is the same (a change of desired
     * state, an attached volume, a redelivered status).
     */
    static Optional<CloudEvent> taskState(TaskRecord before, TaskRecord after, Instant at) {
        TaskState previous = before == null ? null : before.state();
        if (previous == after.state()) {
            return Optional.empty();
        }
        return Optional.of(taskEvent(EventTypes.TASK_STATE, after, at, new TaskStateData(after.taskId(),
                after.appId(), after.identity(), after.nodeId(), after.host(), after.state(), previous,
                after.reason(), after.exitCode())));
    }

    /**
     * The task's health verdict changed: it became HEALTHY or UNHEALTHY from any other state. The
     * agent's later reports within the same verdict (more failures in a row) are not announced; the
     * kill that follows exhausted checks shows as task states.
     */
    static Optional<CloudEvent> taskHealth(TaskRecord before, TaskRecord after, Instant at) {
        TaskState previous = before == null ? null : before.state();
        if (!isVerdict(after.state()) || previous == after.state()) {
            return Optional.empty();
        }
        return Optional.of(taskEvent(EventTypes.TASK_HEALTH, after, at, new TaskHealthData(after.taskId(),
                after.appId(), after.identity(), after.nodeId(), after.host(), after.state(), previous,
                after.health())));
    }

    private static boolean isVerdict(TaskState state) {
        return state == TaskState.HEALTHY || state == TaskState.UNHEALTHY;
    }

    private static CloudEvent taskEvent(String type, TaskRecord task, Instant at, Object data) {
        return CloudEvent.of(SOURCE, type, "tasks/" + task.taskId(), CloudEvent.teamOf(task.appId()), at, data);
    }

    // ---- nodes ------------------------------------------------------------------------------------

    /** Heard for the first time, or again after it was unreachable. */
    static CloudEvent nodeUp(String nodeId, String host, Instant at) {
        return nodeEvent(EventTypes.NODE_UP, nodeId, host, null, at);
    }

    /** Declared unreachable; {@code tasksLost} of its tasks were declared LOST with it. */
    static CloudEvent nodeDown(String nodeId, String host, int tasksLost, Instant at) {
        return nodeEvent(EventTypes.NODE_DOWN, nodeId, host, tasksLost, at);
    }

    static CloudEvent nodeDrain(String nodeId, String host, Instant at) {
        return nodeEvent(EventTypes.NODE_DRAIN, nodeId, host, null, at);
    }

    static CloudEvent nodeUndrain(String nodeId, String host, Instant at) {
        return nodeEvent(EventTypes.NODE_UNDRAIN, nodeId, host, null, at);
    }

    private static CloudEvent nodeEvent(String type, String nodeId, String host, Integer tasksLost, Instant at) {
        // Nodes belong to no team: readers filtered by team see none of these.
        return CloudEvent.of(SOURCE, type, "nodes/" + Objects.requireNonNull(nodeId), null, at,
                new NodeData(nodeId, host, tasksLost));
    }
}
