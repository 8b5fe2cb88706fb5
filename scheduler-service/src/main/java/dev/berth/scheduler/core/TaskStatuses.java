package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.TaskFailure;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;

/**
 * The rules for an agent's word on one task: the record takes the observed state; a task nobody wants
 * is killed; a replacement that counts takes over from its original; a task that failed its health
 * checks too often is replaced, Marathon's way; a task that ended leaves its record to its app's
 * history and makes the app back off if it failed. What the app should run then is for the reconcile
 * loop: these rules only touch the app. Kept apart from {@link SchedulerCore} as one input's rules.
 */
final class TaskStatuses {
    private final SchedulerSettings settings;
    private final SchedulerState state;
    private final Deployments deployments;
    private final StatefulVolumes volumes;
    private final TaskHistories histories;

    TaskStatuses(SchedulerSettings settings, SchedulerState state, Deployments deployments, StatefulVolumes volumes,
                 TaskHistories histories) {
        this.settings = settings;
        this.state = state;
        this.deployments = deployments;
        this.volumes = volumes;
        this.histories = histories;
    }

    /**
     * Applies the status to the task's record and decides what follows from it.
     *
     * @return whether a replacement took over its instance: a drain's move may be done, so drains move
     *     on once the app is reconciled
     */
    boolean apply(TaskStatus status, InputPlan plan) {
        TaskRecord task = state.task(status.taskId());
        if (task == null) {
            if (!status.state().isTerminal() && status.nodeId() != null) {
                // Something runs that no app wants (e.g. launched by a scheduler that was deposed).
                plan.send(KillTask.of(status.nodeId(), status.taskId(), settings.defaultKillGrace(),
                        "not known to the scheduler", status.id()));
            }
            return false;
        }
        if (bringsNothingNew(task, status)) {
            return false;
        }
        // Stamped with the agent's time of the observation, which its heartbeats are compared with.
        TaskRecord updated = task.observed(status.state(), status.reason(), status.exitCode(), status.health(),
                status.id(), status.occurredAt() == null ? plan.now() : status.occurredAt());
        AppState app = state.app(task.appId());
        if (!status.state().isTerminal()) {
            plan.recordTask(updated);
            // A replacement takes over once it counts (healthy, or running without checks), unless
            // canaries are tried beside their originals.
            boolean takesOver = status.state().isActive() && updated.replaces() != null && app != null
                    && deployments.countsUp(app, updated)
                    && !deployments.limits(app, plan.tasksOf(app.appId())).holdOld();
            if (takesOver) {
                takeOver(updated, plan);
            }
            if (status.state() == TaskState.UNHEALTHY && status.health() != null && status.health().exhausted()) {
                replaceUnhealthy(state.task(task.taskId()), status, plan);
            } else if (!takesOver && app != null && deployments.active(app.appId()).isPresent()) {
                // A deployment moves on as its new tasks get healthy.
                plan.touch(app.appId());
            }
            return takesOver;
        }
        plan.end(updated);
        // The agent reported it, so its node is there: its volumes are detached at once.
        volumes.taskEnded(task, false, plan);
        if (app != null && task.desired() == DesiredState.RUN && status.state() != TaskState.LOST) {
            plan.backOff(app);
            if (status.state() == TaskState.FAILED) {
                deployments.taskFailed(app, task, status.reason() == null ? "FAILED" : status.reason());
            }
        }
        if (app != null) {
            plan.touch(app.appId());
        }
        return false;
    }

    /**
     * The same state again: a redelivery or a repeated report, unless it carries health detail the
     * record lacks (the UNHEALTHY that reaches {@code maxConsecutiveFailures} follows the first
     * UNHEALTHY and must not be lost).
     */
    private static boolean bringsNothingNew(TaskRecord task, TaskStatus status) {
        return task.state() == status.state()
                && (status.health() == null || status.health().equals(task.health()));
    }

    /**
     * A task whose health check failed {@code maxConsecutiveFailures} times in a row, Marathon's way:
     * it is killed and its instance relaunched, after the app's backoff as for any failure. It is
     * stopped (desired STOP) at once, so it no longer counts as an instance and reconciliation
     * places the replacement while the kill is under way; the KILLED status then only removes it,
     * without a second backoff. A task that is no longer wanted is being stopped already.
     */
    private void replaceUnhealthy(TaskRecord task, TaskStatus status, InputPlan plan) {
        AppState app = state.app(task.appId());
        if (app == null || app.deleting() || task.desired() != DesiredState.RUN) {
            return;
        }
        plan.stop(task, healthFailure(status));
        // It fails now, though its end (the kill) is still to come and will be one that was asked for.
        histories.failed(TaskFailure.of(task.observed(TaskState.UNHEALTHY, healthFailure(status), null, null,
                plan.now()), plan.now()), status.id(), plan.now(), plan::recordHistory);
        deployments.taskFailed(app, task, healthFailure(status));
        // A replacement already starting for it (a restart, a drain) now is the instance, rather than
        // leaving the instance to be placed a second time.
        for (TaskRecord t : state.tasksOfInIndexOrder(task.appId())) {
            if (task.taskId().equals(t.replaces()) && t.desired() == DesiredState.RUN) {
                plan.recordTask(t.settled(status.id(), plan.now()));
            }
        }
        plan.backOff(app);
        plan.touch(app.appId());
    }

    /** The kill's reason: the agent's own when it gave one, so both say the same. */
    private static String healthFailure(TaskStatus status) {
        if (status.reason() != null && status.reason().startsWith(TaskStatus.HEALTH_CHECK_FAILED)) {
            return status.reason();
        }
        HealthReport health = status.health();
        return TaskStatus.HEALTH_CHECK_FAILED + ": health check " + health.checkIndex() + " failed "
                + health.consecutiveFailures() + " times in a row"
                + (health.lastResult() == null ? "" : " (" + health.lastResult() + ")");
    }

    /** A replacement runs: its original is stopped and it becomes an ordinary task of its instance. */
    private void takeOver(TaskRecord replacement, InputPlan plan) {
        TaskRecord original = state.task(replacement.replaces());
        if (original != null && original.desired() == DesiredState.RUN) {
            plan.stop(original, "replaced by " + replacement.taskId());
        }
        plan.recordTask(replacement.settled(replacement.id(), plan.now()));
        if (state.hasApp(replacement.appId())) {
            plan.touch(replacement.appId());
        }
    }
}
