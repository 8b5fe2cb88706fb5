package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.PromoteDeployment;
import dev.berth.contracts.messages.RollbackApp;
import dev.berth.contracts.messages.RollbackDeployment;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.KillAppTask;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.UpdateApp;

import java.util.List;

/**
 * The rules for app commands: whether each one is accepted and what it changes, with the one
 * {@link CommandReply} that answers it. The gateway turns the reply into its HTTP answer, so a refusal's
 * reason is written for the person who sent the request:
 * <ul>
 *   <li>{@code NOT_FOUND}: no such app (for CreateApp: never), or no such running task of it;</li>
 *   <li>{@code CONFLICT}: the app exists already (CreateApp), is being deleted, or is not at the version
 *       the update expected;</li>
 *   <li>{@code INVALID}: the command can never be carried out as asked (a stateful app's volumes changed
 *       in an update, a stateful scale-down through a kill of other than the highest identity, a
 *       replacement of an identity the app does not have);</li>
 *   <li>deployments ({@link Deployments}): a change that replaces tasks (an update of more than
 *       {@code instances} and {@code upgradeStrategy}, a restart, a rollback to another definition) while a
 *       deployment of the app runs is a {@code CONFLICT} unless forced (a forced one supersedes it);
 *       {@code PromoteDeployment} / {@code RollbackDeployment} of a deployment the app does not have are
 *       {@code NOT_FOUND}, of one that is not paused / has ended {@code CONFLICT};
 *       {@code RollbackApp} to a version no longer kept is {@code NOT_FOUND};</li>
 *   <li>{@code ACCEPTED}: with the app's version after the command, which is the current one when the
 *       command changed nothing (a scale to the same count, an update to the same definition).</li>
 * </ul>
 * A command whose id is the cause of the app's latest state has been carried out already (a redelivery
 * after an aborted transaction reaches a rebuilt core that no longer knows it, but a repeat on the same
 * core does): it is accepted again and changes nothing.
 */
final class AppCommands {
    private final StatefulVolumes volumes;
    private final StatefulReconciler stateful;
    private final Backoffs backoffs;
    private final Deployments deployments;

    AppCommands(StatefulVolumes volumes, StatefulReconciler stateful, Backoffs backoffs, Deployments deployments) {
        this.volumes = volumes;
        this.stateful = stateful;
        this.backoffs = backoffs;
        this.deployments = deployments;
    }

    /**
     * Carries the command out through the changes, as far as it is accepted, and says how it went. The
     * app of an accepted command is touched: the core reconciles it before the reply goes out.
     */
    CommandReply handle(AppCommand command, SchedulerView view, Changes changes) {
        String appId = command.appId();
        AppState existing = view.app(appId).orElse(null);
        if (existing != null && command.id().equals(existing.correlationId())) {
            return CommandReply.accepted(command, existing.version(), "already done");
        }
        if (command instanceof CreateApp create) {
            return create(create, existing, changes);
        }
        if (existing == null) {
            return CommandReply.notFound(command, "no app " + appId);
        }
        if (existing.deleting()) {
            return CommandReply.conflict(command, existing.version(), "the app " + appId + " is being deleted");
        }
        CommandReply reply;
        if (command instanceof UpdateApp update) {
            reply = update(update, existing, view, changes);
        } else if (command instanceof KillAppTask kill) {
            reply = kill(kill, existing, view, changes);
        } else if (command instanceof ScaleApp scale) {
            reply = scale(scale, existing, changes);
        } else if (command instanceof RestartApp restart) {
            reply = restart(restart, existing, view, changes);
        } else if (command instanceof DeleteApp delete) {
            reply = delete(delete, existing, changes);
        } else if (command instanceof ReplaceInstance replace) {
            reply = replace(replace, existing, view, changes);
        } else if (command instanceof PromoteDeployment promote) {
            reply = deployments.promote(promote, existing, view, changes);
        } else if (command instanceof RollbackDeployment rollback) {
            reply = deployments.rollback(rollback, existing, view, changes);
        } else if (command instanceof RollbackApp rollback) {
            reply = deployments.rollbackApp(rollback, existing, view, changes);
        } else {
            throw new IllegalArgumentException("unknown app command " + command);
        }
        if (reply.accepted()) {
            // Reconciled once the command's own changes are made (a rollback touched it already: still once).
            changes.touch(appId);
        }
        return reply;
    }

    private CommandReply create(CreateApp create, AppState existing, Changes changes) {
        String appId = create.appId();
        if (existing != null) {
            // A racing second create: the first accepted one stands.
            return CommandReply.conflict(create, existing.version(), existing.deleting()
                    ? "an app " + appId + " is being deleted; try again once it is gone"
                    : "an app " + appId + " already exists; delete it first or pick another id");
        }
        AppState created = volumes.created(AppState.of(create.app(), 1, false, create.id()));
        changes.recordApp(created, AppVersion.CREATED);
        changes.touch(created.appId());
        return CommandReply.accepted(create, created.version(), "created version " + created.version());
    }

    private CommandReply update(UpdateApp update, AppState existing, SchedulerView view, Changes changes) {
        String appId = existing.appId();
        if (update.expectedVersion() != null && update.expectedVersion() != existing.version()) {
            return CommandReply.conflict(update, existing.version(), "the app " + appId + " is at version "
                    + existing.version() + ", not " + update.expectedVersion() + "; read it again and retry");
        }
        AppDefinition before = existing.definition();
        AppDefinition after = update.app();
        if ((before.isStateful() || after.isStateful()) && !before.volumes().equals(after.volumes())) {
            // Identities own volumes made from these definitions: changing them would orphan or mismatch
            // data, and no migration exists yet.
            return CommandReply.invalid(update, existing.version(), "the volumes of " + appId
                    + " cannot change in an update yet; keep container.volumes as they are, or delete the app"
                    + " and create it again");
        }
        if (after.equals(before)) {
            return CommandReply.accepted(update, existing.version(), "no change");
        }
        boolean replacesTasks = !after.runsLike(before);
        CommandReply busy = replacesTasks ? deployments.busy(update, existing, update.force()) : null;
        if (busy != null) {
            return busy;
        }
        AppState next = existing.updated(after, update.id());
        if (next.configVersion() != existing.configVersion()) {
            // New tasks for a new definition are a fresh start, as a restart is: earlier failures were
            // those of the old definition.
            backoffs.forgive(appId);
        }
        changes.recordApp(next, AppVersion.UPDATED);
        if (replacesTasks) {
            deployments.started(existing, next, Deployment.CAUSE_UPDATE, update.id(), view, changes);
        }
        return CommandReply.accepted(update, next.version(), "updated to version " + next.version());
    }

    /**
     * An operator's kill of one task. It is stopped at once (desired STOP), so it is never counted as a
     * failure and the app does not back off; without scale-down the reconciler places its instance
     * again as for any replacement (a stateful identity once the task ended, with its own volumes, on
     * the node its local volume lives on).
     */
    private CommandReply kill(KillAppTask kill, AppState existing, SchedulerView view, Changes changes) {
        String appId = existing.appId();
        TaskRecord task = view.task(kill.taskId()).orElse(null);
        if (task == null || !task.appId().equals(appId) || task.desired() != DesiredState.RUN
                || task.state().isTerminal()) {
            return CommandReply.notFound(kill, "no running task " + kill.taskId() + " in " + appId);
        }
        AppDefinition def = existing.definition();
        String reason = "killed by an operator through the API" + (kill.scaleDown() ? " (scaled down)" : "");
        if (!kill.scaleDown()) {
            stopWithPartner(task, false, reason, kill, view, changes);
            return CommandReply.accepted(kill, existing.version(), "task " + task.taskId() + " killed");
        }
        if (def.isStateful() && task.instance() != def.instances() - 1) {
            // An identity's number is its place: removing one from the middle would leave a gap that the
            // next scale-up fills with a different task for the same data.
            String highest = Volumes.identity(appId, def.instances() - 1);
            return CommandReply.invalid(kill, existing.version(), "scale-down removes the highest identity, "
                    + highest + "; kill that one, or scale with PATCH");
        }
        AppState next = existing.scaled(def.withInstances(Math.max(0, def.instances() - 1)), kill.id());
        changes.recordApp(next, AppVersion.SCALED);
        // Stopped before the reconciler runs, so that the surplus it would pick by kill selection is gone.
        stopWithPartner(task, true, reason, kill, view, changes);
        return CommandReply.accepted(kill, next.version(), "task " + task.taskId() + " killed and "
                + appId + " scaled to " + next.definition().instances());
    }

    /**
     * Stops the task. A replacement starting for it (a restart, a drain) takes over its instance; with
     * {@code wholeInstance} it is stopped too, and so is the original of a task that is itself a
     * replacement, so that exactly this instance goes.
     */
    private static void stopWithPartner(TaskRecord task, boolean wholeInstance, String reason, AppCommand cause,
                                        SchedulerView view, Changes changes) {
        changes.stop(task, reason);
        for (TaskRecord t : List.copyOf(view.tasksOf(task.appId()))) {
            if (t.desired() != DesiredState.RUN) {
                continue;
            }
            boolean itsReplacement = task.taskId().equals(t.replaces());
            boolean itsOriginal = t.taskId().equals(task.replaces());
            if (wholeInstance && (itsReplacement || itsOriginal)) {
                changes.stop(t, reason);
            } else if (itsReplacement) {
                changes.recordTask(t.settled(cause.id(), view.now()));
            }
        }
    }

    private CommandReply scale(ScaleApp scale, AppState existing, Changes changes) {
        if (scale.instances() == existing.definition().instances()) {
            return CommandReply.accepted(scale, existing.version(), "no change");
        }
        AppState next = existing.scaled(existing.definition().withInstances(scale.instances()), scale.id());
        changes.recordApp(next, AppVersion.SCALED);
        return CommandReply.accepted(scale, next.version(), "scaled to " + scale.instances());
    }

    private CommandReply restart(RestartApp restart, AppState existing, SchedulerView view, Changes changes) {
        CommandReply busy = deployments.busy(restart, existing, false);
        if (busy != null) {
            return busy;
        }
        // A restart is an operator's fresh start: any backoff from earlier failures is forgiven.
        backoffs.forgive(existing.appId());
        AppState next = existing.restarted(restart.id());
        changes.recordApp(next, AppVersion.RESTARTED);
        deployments.started(existing, next, Deployment.CAUSE_RESTART, restart.id(), view, changes);
        return CommandReply.accepted(restart, next.version(), "restarting at version " + next.version());
    }

    private CommandReply delete(DeleteApp delete, AppState existing, Changes changes) {
        AppState next = existing.deleted(delete.wipe(), delete.id());
        changes.recordApp(next);
        return CommandReply.accepted(delete, next.version(), "deleting");
    }

    private CommandReply replace(ReplaceInstance replace, AppState existing, SchedulerView view, Changes changes) {
        String appId = existing.appId();
        AppDefinition def = existing.definition();
        if (!def.isStateful()) {
            return CommandReply.invalid(replace, existing.version(), "the app " + appId
                    + " has no persistent volumes, so no identity to give fresh ones");
        }
        int instance = Volumes.instanceOf(appId, replace.identity());
        if (instance < 0 || instance >= def.instances()) {
            return CommandReply.invalid(replace, existing.version(), "the app " + appId + " has no identity "
                    + replace.identity() + (def.instances() == 0 ? "; it runs no instances"
                    : "; its identities are " + Volumes.identity(appId, 0) + " to "
                    + Volumes.identity(appId, def.instances() - 1)));
        }
        if (!stateful.replaceInstance(existing, replace, view, changes)) {
            return CommandReply.invalid(replace, existing.version(), "the identity " + replace.identity()
                    + " of " + appId + " cannot be replaced now");
        }
        long version = view.app(appId).map(AppState::version).orElse(existing.version());
        return CommandReply.accepted(replace, version, replace.identity() + " given fresh volumes");
    }
}
