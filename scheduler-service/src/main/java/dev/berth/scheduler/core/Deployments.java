package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.PromoteDeployment;
import dev.berth.contracts.messages.RollbackApp;
import dev.berth.contracts.messages.RollbackDeployment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.scheduler.deployment.DeploymentBook;
import dev.berth.scheduler.deployment.Rollout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The core's side of deployments: where the plain rules of {@code deployment/} ({@link Rollout},
 * {@link DeploymentBook}) meet the app's tasks. It starts a deployment for every change that replaces
 * tasks, tells the reconcilers how far the roll may go ({@link #limits}), counts the tasks after each
 * pass over the app and records what changed ({@link #reconciled}), fails a deployment past its
 * deadline ({@link #tick}), and answers the deployment commands. Every change is recorded through the
 * {@link Changes} of the input, so it commits with the app and task records it goes with.
 *
 * <p><b>Versions and rollback.</b> Versions only grow: a rollback records the earlier definition as a
 * new version ({@code rolled-back}). Which tasks it keeps is said by {@link AppState#sameConfigVersions}:
 * the versions of running tasks whose definition runs like the restored one, so they are not restarted.
 * To know the definition of a task's version the core keeps the app's recent definitions, as written on
 * {@code berth.app-versions} (read back on takeover): the same latest 50 that topic keeps.
 */
final class Deployments {
    private final DeploymentBook book = new DeploymentBook();
    private final Map<String, NavigableMap<Long, AppDefinition>> versions = new HashMap<>();
    private final Backoffs backoffs;

    Deployments(Backoffs backoffs) {
        this.backoffs = backoffs;
    }

    // ---- rebuilding ------------------------------------------------------------------------------

    void restore(Deployment d) {
        book.restore(d);
    }

    void forget(String deploymentId) {
        book.forget(deploymentId);
    }

    void restoreVersion(AppVersion v) {
        remember(v.appId(), v.version(), v.definition());
    }

    void forgetVersion(String appId, long version) {
        NavigableMap<Long, AppDefinition> kept = versions.get(appId);
        if (kept != null) {
            kept.remove(version);
        }
    }

    /** A new state of the app was recorded: its definition is that version's. */
    void remember(String appId, long version, AppDefinition definition) {
        NavigableMap<Long, AppDefinition> kept = versions.computeIfAbsent(appId, a -> new TreeMap<>());
        kept.put(version, definition);
        while (kept.size() > AppVersions.KEPT) {
            kept.pollFirstEntry();
        }
    }

    Optional<Deployment> find(String deploymentId) {
        return book.find(deploymentId);
    }

    Optional<Deployment> active(String appId) {
        return book.active(appId);
    }

    // ---- what the reconcilers see ------------------------------------------------------------------

    /** The definition tasks launched for {@code version} run. */
    AppDefinition definitionOf(AppState app, long version) {
        if (app.isCurrent(version)) {
            return app.definition();
        }
        AppDefinition kept = versions.getOrDefault(app.appId(), new TreeMap<>()).get(version);
        if (kept != null) {
            return kept;
        }
        return book.governing(app.appId(), app.version()).map(Deployment::from).orElse(app.definition());
    }

    /** The task counts: it is wanted, and healthy (or RUNNING, for a definition without health checks). */
    boolean countsUp(AppState app, TaskRecord t) {
        if (t.desired() != DesiredState.RUN) {
            return false;
        }
        return t.state() == TaskState.HEALTHY
                || (t.state() == TaskState.RUNNING && definitionOf(app, t.appVersion()).healthChecks().isEmpty());
    }

    /**
     * The task serves, as far as anyone knows: it counts up, or it is of an older version than the app's
     * and RUNNING with its health not known yet (its checks' delay or grace period has not passed). Such
     * an old task served before the change, so a roll counts it as serving and never stops it for free;
     * a new task has to prove itself ({@link #countsUp}). An old task not running yet, or failing its
     * checks (UNHEALTHY), does not serve.
     */
    boolean serves(AppState app, TaskRecord t) {
        if (countsUp(app, t)) {
            return true;
        }
        return t.desired() == DesiredState.RUN && t.state() == TaskState.RUNNING && !app.isCurrent(t.appVersion());
    }

    /** How far the roll of the app may go now (no limits when no deployment governs it). */
    Rollout.Limits limits(AppState app, List<TaskRecord> tasks) {
        Optional<Deployment> d = book.governing(app.appId(), app.version());
        if (d.isEmpty()) {
            return Rollout.Limits.NONE;
        }
        int onNodes = 0;
        int serving = 0;
        int newWanted = 0;
        for (TaskRecord t : tasks) {
            if (t.state().isTerminal()) {
                continue;
            }
            // A task being stopped runs until its agent says it ended: it still takes its share of the
            // over-capacity, or a new task would start beside every old one being killed.
            onNodes++;
            if (t.desired() == DesiredState.RUN) {
                serving += serves(app, t) ? 1 : 0;
                newWanted += app.isCurrent(t.appVersion()) ? 1 : 0;
            }
        }
        return Rollout.limits(d.get(), app.definition().instances(),
                new Rollout.Headcount(onNodes, serving, newWanted));
    }

    /**
     * While canaries are tried, an old instance that went missing comes back as it was (the old
     * definition, at its version), so that the app keeps exactly its canaries of the new version.
     */
    Optional<Deployment> relaunchOld(AppState app) {
        return book.active(app.appId()).filter(Rollout::tryingCanaries);
    }

    // ---- starting, and the commands ----------------------------------------------------------------

    /** A refusal of a change that would start a deployment while one runs, or null to go ahead. */
    CommandReply busy(AppCommand command, AppState app, boolean force) {
        Optional<Deployment> d = book.active(app.appId());
        if (d.isEmpty() || force) {
            return null;
        }
        return CommandReply.conflict(command, app.version(), "a deployment (" + d.get().deploymentId() + ") of "
                + app.appId() + " is running: wait for it, or use force=true");
    }

    /**
     * The app went from {@code before} to {@code after} by a change that replaces tasks: a deployment
     * of it starts. One still running is superseded: the new one starts from the mix it reached.
     */
    void started(AppState before, AppState after, String cause, String commandId, SchedulerView view, Changes changes) {
        book.active(after.appId()).ifPresent(old -> record(Rollout.end(old, DeploymentState.SUPERSEDED,
                "superseded by version " + after.version() + " (forced)", view.now()), changes));
        record(Rollout.start(after.appId(), before.version(), after.version(), before.definition(),
                after.definition(), cause, commandId, view.now()), changes);
    }

    CommandReply promote(PromoteDeployment promote, AppState app, SchedulerView view, Changes changes) {
        Deployment d = book.find(promote.deploymentId()).filter(x -> x.appId().equals(app.appId())).orElse(null);
        if (d == null) {
            return CommandReply.notFound(promote, "no deployment " + promote.deploymentId() + " of " + app.appId());
        }
        if (d.state() != DeploymentState.PAUSED) {
            return CommandReply.conflict(promote, app.version(), "the deployment " + d.deploymentId() + " of "
                    + app.appId() + " is " + d.state() + ", not PAUSED: only a deployment waiting with healthy"
                    + " canaries can be promoted");
        }
        record(Rollout.promote(d, view.now()), changes);
        return CommandReply.accepted(promote, app.version(), "promoted " + d.deploymentId());
    }

    CommandReply rollback(RollbackDeployment rollback, AppState app, SchedulerView view, Changes changes) {
        Deployment d = book.find(rollback.deploymentId()).filter(x -> x.appId().equals(app.appId())).orElse(null);
        if (d == null) {
            return CommandReply.notFound(rollback, "no deployment " + rollback.deploymentId() + " of "
                    + app.appId());
        }
        if (d.isFinished()) {
            return CommandReply.conflict(rollback, app.version(), "the deployment " + d.deploymentId() + " of "
                    + app.appId() + " has ended (" + d.state() + "); roll the app back to a version instead");
        }
        AppState next = revert(app, d, "rolled back by an operator", rollback.id(), view, changes);
        return CommandReply.accepted(rollback, next.version(), "rolled back to the definition of version "
                + d.fromVersion() + " as version " + next.version());
    }

    CommandReply rollbackApp(RollbackApp rollback, AppState app, SchedulerView view, Changes changes) {
        String appId = app.appId();
        AppDefinition target = versions.getOrDefault(appId, new TreeMap<>()).get(rollback.version());
        if (target == null || rollback.version() > app.version()) {
            return CommandReply.notFound(rollback, "no version " + rollback.version() + " of " + appId
                    + " is kept (the latest " + AppVersions.KEPT + " are)");
        }
        if (target.equals(app.definition())) {
            return CommandReply.accepted(rollback, app.version(), "no change");
        }
        if ((target.isStateful() || app.definition().isStateful()) && !target.volumes().equals(app.definition().volumes())) {
            return CommandReply.invalid(rollback, app.version(), "version " + rollback.version() + " of " + appId
                    + " has other volumes; an app's volumes cannot change");
        }
        boolean replaces = !target.runsLike(app.definition());
        if (replaces) {
            CommandReply refused = busy(rollback, app, rollback.force());
            if (refused != null) {
                return refused;
            }
        }
        AppState next = app.rolledBack(target, alike(app, target, view), rollback.id());
        changes.recordApp(next, AppVersion.ROLLED_BACK);
        if (replaces) {
            backoffs.forgive(appId);
            started(app, next, Deployment.CAUSE_ROLLBACK, rollback.id(), view, changes);
        }
        return CommandReply.accepted(rollback, next.version(), "rolled back to the definition of version "
                + rollback.version() + " as version " + next.version());
    }

    // ---- carrying it out ---------------------------------------------------------------------------

    /** After each pass over the app: its tasks counted, the deployment's steps marked, its failure seen. */
    void reconciled(AppState app, SchedulerView view, Changes changes) {
        Deployment d = book.active(app.appId()).orElse(null);
        if (d == null) {
            return;
        }
        if (app.deleting()) {
            record(Rollout.end(d, DeploymentState.CANCELLED, "the app is being deleted", view.now()), changes);
            return;
        }
        Deployment next = Rollout.evaluate(d, tally(app, view.tasksOf(app.appId())), view.now());
        if (next != d) {
            record(next, changes);
        }
        String why = Rollout.failure(next, book.failures(d.deploymentId()), book.lastFailure(d.deploymentId()),
                view.now());
        if (why != null) {
            fail(app, next, why, view, changes);
        }
    }

    /** Deadlines are kept by the scheduler's own clock: its ticks. */
    void tick(SchedulerView view, Changes changes) {
        for (Deployment d : book.unfinished()) {
            AppState app = view.app(d.appId()).orElse(null);
            String why = app == null ? null : Rollout.failure(d, book.failures(d.deploymentId()),
                    book.lastFailure(d.deploymentId()), view.now());
            if (why != null) {
                fail(app, d, why, view, changes);
            }
        }
    }

    /** A task ended FAILED, or was replaced for failing health checks: counted if it is of the new version. */
    void taskFailed(AppState app, TaskRecord task, String why) {
        book.active(app.appId()).filter(d -> app.isCurrent(task.appVersion()))
                .ifPresent(d -> book.newTaskFailed(d.deploymentId(), task.taskId() + ": " + why));
    }

    /** The app is gone: its deployments' records go with it. */
    void appRemoved(String appId, Changes changes) {
        book.allOf(appId).forEach(changes::removeDeployment);
        book.appRemoved(appId);
        versions.remove(appId);
    }

    private void fail(AppState app, Deployment d, String why, SchedulerView view, Changes changes) {
        if (d.to().upgradeStrategy().autoRollback()) {
            revert(app, d, "rolled back automatically: " + why, d.correlationId(), view, changes);
        } else {
            record(Rollout.end(d, DeploymentState.FAILED, why + "; the app stays at the mix it reached:"
                    + " update it again, or roll it back to a version", view.now()), changes);
        }
    }

    /**
     * Ends the deployment ROLLED_BACK and brings its {@code from} definition back as a new version. Tasks
     * that run it already stay; the others (canaries, new instances) are replaced by the reconcilers,
     * new first, without a deployment of their own: the old definition is known to work.
     */
    private AppState revert(AppState app, Deployment d, String reason, String cause, SchedulerView view,
                            Changes changes) {
        record(Rollout.end(d, DeploymentState.ROLLED_BACK, reason, view.now()), changes);
        AppState next = app.rolledBack(d.from(), alike(app, d.from(), view), cause);
        changes.recordApp(next, AppVersion.ROLLED_BACK);
        backoffs.forgive(app.appId());
        changes.touch(next.appId());
        return next;
    }

    /** Versions of the app's wanted tasks that run like {@code target}. */
    private Set<Long> alike(AppState app, AppDefinition target, SchedulerView view) {
        Set<Long> alike = new TreeSet<>();
        for (TaskRecord t : view.tasksOf(app.appId())) {
            if (t.desired() == DesiredState.RUN && definitionOf(app, t.appVersion()).runsLike(target)) {
                alike.add(t.appVersion());
            }
        }
        return alike;
    }

    private Rollout.Tally tally(AppState app, List<TaskRecord> tasks) {
        int newUp = 0;
        int newRunning = 0;
        int oldRunning = 0;
        int up = 0;
        for (TaskRecord t : tasks) {
            if (t.desired() != DesiredState.RUN || t.state().isTerminal()) {
                continue;
            }
            boolean isNew = app.isCurrent(t.appVersion());
            boolean isUp = countsUp(app, t);
            up += isUp ? 1 : 0;
            if (isNew) {
                newRunning++;
                newUp += isUp ? 1 : 0;
            } else {
                oldRunning++;
            }
        }
        return new Rollout.Tally(app.definition().instances(), newUp, newRunning, oldRunning, up);
    }

    private void record(Deployment d, Changes changes) {
        Deployment before = book.find(d.deploymentId()).orElse(null);
        List<String> dropped = book.record(d);
        changes.recordDeployment(before, d);
        dropped.forEach(changes::removeDeployment);
    }
}
