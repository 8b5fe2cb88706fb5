package dev.berth.scheduler.deployment;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.UpgradeStrategy;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentProgress;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.DeploymentStep;
import dev.berth.contracts.messages.Ids;
import dev.berth.contracts.messages.Message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rules that carry a deployment out, as plain functions: how far it may go now ({@link #limits}),
 * what its state is once the app's tasks are counted ({@link #evaluate}), and its ends. The scheduler
 * core counts the tasks and applies the limits to its reconcilers; these rules never see a task.
 *
 * <p>Whether a new instance counts is decided by health: it counts ("is up") once its health checks
 * pass, or once it is RUNNING for an app without checks. An old instance counts as serving unless it
 * is known not to: one RUNNING whose health is not known yet (its checks' delay or grace period has not
 * passed) served before the change and is no less needed now. Old instances are stopped only as new
 * ones come up, so {@code minimumHealthCapacity} holds throughout; only an old instance that does not
 * serve (not running yet, or failing its checks) may be stopped without waiting. And tasks start only
 * within {@code maximumOverCapacity}, counting every task not ended.
 */
public final class Rollout {
    /** New-version tasks that may fail (end FAILED, or be replaced for failing health checks) before it fails. */
    public static final int FAILURES_ALLOWED = 3;

    private Rollout() {
    }

    /**
     * The app's tasks, counted for one deployment.
     *
     * @param target     instances the app should have
     * @param newUp      tasks of the new version that are up (healthy, or running without checks)
     * @param newRunning tasks of the new version that are wanted and not ended
     * @param oldRunning tasks of older versions that are wanted and not ended
     * @param up         tasks of either version that are up
     */
    public record Tally(int target, int newUp, int newRunning, int oldRunning, int up) {
        /** Wanted tasks beyond the instance count. */
        public int extra() {
            return newRunning + oldRunning - target;
        }
    }

    /**
     * The app's tasks as {@link #limits} sees them.
     *
     * @param onNodes   tasks that have not ended, wanted or being stopped: a task being stopped still runs
     *                  and holds its resources until its agent reports it ended, so it counts against
     *                  {@code maximumOverCapacity} as much as one starting
     * @param serving   wanted tasks that serve: new-version ones once up; old ones that are up, or
     *                  RUNNING with their health not known yet (within the grace period, before the first
     *                  check): they served before the change, and nothing says they stopped
     * @param newWanted wanted tasks of the new version that have not ended
     */
    public record Headcount(int onNodes, int serving, int newWanted) {
    }

    /**
     * What the reconcilers may do now.
     *
     * @param startAtMost   tasks that may start now, of either version: what is left under
     *                      {@code instances + floor(maximumOverCapacity × instances)}, counting every task
     *                      not ended. New tasks never start beyond it, whatever state the old ones are in
     * @param newAtMost     new-version tasks that may exist at most (the canaries while they are tried)
     * @param stopAtMost    old tasks that may be stopped now, before a successor is up: during the roll
     *                      as many as the rules allow; while canaries are tried, only as many as canaries
     *                      must take the place of for lack of room beside
     * @param servingToStop of those, how many may be serving. Old tasks that do not serve (not running yet,
     *                      or failing their checks) cost no capacity and may be stopped within
     *                      {@code stopAtMost} alone. For a stateful app during the roll: how many
     *                      identities may be down at once
     * @param holdOld       canaries are tried: old tasks stay, and their replacements do not take over
     * @param replacing     outdated tasks are replaced at all (false: a failed deployment leaves the mix)
     */
    public record Limits(int startAtMost, int newAtMost, int stopAtMost, int servingToStop, boolean holdOld,
                         boolean replacing) {
        /** No deployment governs: the reconcilers' own rules (replace everything, new first). */
        public static final Limits NONE = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, false, true);
    }

    /** A new deployment of {@code to}, RUNNING, with its plan. */
    public static Deployment start(String appId, long fromVersion, long toVersion, AppDefinition from,
                                   AppDefinition to, String cause, String correlationId, Instant now) {
        return new Deployment(Ids.newId(), Message.SCHEMA_VERSION, now, correlationId, Ids.newId(), appId,
                fromVersion, toVersion, from, to, DeploymentState.RUNNING, null, DeploymentPlanner.plan(to), 0,
                new DeploymentProgress(to.instances(), 0, 0, to.instances()), now,
                now.plusSeconds(to.upgradeStrategy().progressDeadlineSeconds()), null, cause);
    }

    /** Canaries are still being tried: a START_CANARIES or PAUSE step is not done yet. */
    public static boolean tryingCanaries(Deployment d) {
        return d.steps().stream().anyMatch(s -> (s.action().equals(DeploymentStep.START_CANARIES)
                || s.action().equals(DeploymentStep.PAUSE)) && !s.status().equals(DeploymentStep.DONE));
    }

    /**
     * What may happen now to an app with {@code n} instances under deployment {@code d} (null: none).
     * The over-capacity bound holds in every phase: a task starts only within
     * {@code n + maximumExtra(n)} tasks on nodes, canaries included.
     */
    public static Limits limits(Deployment d, int n, Headcount count) {
        if (d == null || (d.isFinished() && d.state() != DeploymentState.FAILED)) {
            return Limits.NONE;
        }
        UpgradeStrategy s = d.to().upgradeStrategy();
        int room = Math.max(0, n + s.maximumExtra(n) - count.onNodes());
        int servingToGo = Math.max(0, count.serving() - s.minimumHealthy(n));
        if (d.state() == DeploymentState.FAILED) {
            // The app stays at the mix it reached: nothing is replaced, lost instances come back within the bound.
            return new Limits(room, Integer.MAX_VALUE, 0, 0, false, false);
        }
        if (tryingCanaries(d)) {
            int wanted = d.state() == DeploymentState.PAUSED ? 0 : Math.max(0, s.canary() - count.newWanted());
            // A canary starts beside the instances while there is room; the others take the place of old
            // instances, within minimumHealthCapacity. A stateful app's canaries are always in place.
            int inPlace = d.to().isStateful() ? wanted : Math.max(0, wanted - room);
            // Paused, the canaries are judged as they are: none is added, not even for one that ended.
            int newAtMost = d.state() == DeploymentState.PAUSED ? Math.min(s.canary(), count.newWanted()) : s.canary();
            return new Limits(room, newAtMost, inPlace, Math.min(inPlace, servingToGo), true, true);
        }
        int servingToStop = d.to().isStateful() ? DeploymentPlanner.inPlaceAtOnce(s, n) : servingToGo;
        return new Limits(room, Integer.MAX_VALUE, Integer.MAX_VALUE, servingToStop, false, true);
    }

    /**
     * The deployment once the app's tasks are counted: steps marked, canaries paused (or promoted by
     * themselves), done when every instance is of the new version and up. Returns {@code d} itself when
     * nothing it records changed, so a caller writes only changes.
     */
    public static Deployment evaluate(Deployment d, Tally t, Instant now) {
        if (d.isFinished()) {
            return d;
        }
        UpgradeStrategy s = d.to().upgradeStrategy();
        List<DeploymentStep> steps = new ArrayList<>(d.steps());
        DeploymentState state = d.state();
        String reason = null;
        boolean before = true;
        int upgraded = 0;
        for (int i = 0; i < steps.size(); i++) {
            DeploymentStep step = steps.get(i);
            boolean anUpgrade = step.action().equals(DeploymentStep.UPGRADE_IN_PLACE);
            if (step.status().equals(DeploymentStep.DONE)) {
                upgraded += anUpgrade ? 1 : 0;
                continue;
            }
            String status = before ? DeploymentStep.RUNNING : DeploymentStep.PENDING;
            switch (step.action()) {
                case DeploymentStep.START_CANARIES -> {
                    if (before && t.newUp() >= s.canary()) {
                        status = DeploymentStep.DONE;
                    } else if (before && t.newRunning() < s.canary()) {
                        reason = "waiting for room for " + (s.canary() - t.newRunning()) + " of " + s.canary()
                                + " canaries: beside the instances within maximumOverCapacity, or in place of"
                                + " old ones within minimumHealthCapacity";
                    } else if (before) {
                        reason = "waiting for " + (s.canary() - t.newUp()) + " of " + s.canary()
                                + " canaries to become healthy";
                    }
                }
                case DeploymentStep.UPGRADE_IN_PLACE -> {
                    // The identities upgraded so far are counted, not named: any of them may go first.
                    if (before && t.newUp() > upgraded) {
                        status = DeploymentStep.DONE;
                    } else if (before) {
                        reason = t.newUp() + " of " + t.target() + " identities upgraded in place and healthy;"
                                + " waiting for the next one's new task to become healthy";
                    }
                }
                case DeploymentStep.PAUSE -> {
                    if (before) {
                        state = DeploymentState.PAUSED;
                        reason = s.canary() + (s.canary() == 1 ? " canary" : " canaries")
                                + " healthy; promote or roll back";
                    }
                }
                case DeploymentStep.ROLL -> {
                    if (before && t.oldRunning() == 0) {
                        status = DeploymentStep.DONE;
                    } else if (before) {
                        reason = t.newUp() + " of " + t.target() + " new instances healthy, " + t.oldRunning()
                                + " old still running";
                    }
                }
                case DeploymentStep.WAIT_HEALTHY -> {
                    if (before && t.newUp() >= t.target() && t.oldRunning() == 0 && t.extra() <= 0) {
                        status = DeploymentStep.DONE;
                    } else if (before) {
                        reason = "waiting for " + Math.max(0, t.target() - t.newUp()) + " of " + t.target()
                                + " new instances to become healthy";
                    }
                }
                default -> {
                }
            }
            steps.set(i, step.withStatus(status));
            upgraded += anUpgrade && status.equals(DeploymentStep.DONE) ? 1 : 0;
            if (!status.equals(DeploymentStep.DONE)) {
                before = false;
            }
        }
        int current = 0;
        while (current < steps.size() && steps.get(current).status().equals(DeploymentStep.DONE)) {
            current++;
        }
        Instant finishedAt = null;
        if (current == steps.size()) {
            state = DeploymentState.SUCCEEDED;
            reason = null;
            finishedAt = now;
        }
        DeploymentProgress progress = new DeploymentProgress(t.target(), t.newUp(), t.newRunning(), t.oldRunning());
        if (state == d.state() && Objects.equals(reason, d.reason()) && steps.equals(d.steps())
                && current == d.currentStep() && progress.equals(d.progress())) {
            return d;
        }
        return copy(d, state, reason, steps, current, progress, finishedAt, now);
    }

    /** A paused deployment goes on: its PAUSE step is done. */
    public static Deployment promote(Deployment d, Instant now) {
        List<DeploymentStep> steps = d.steps().stream().map(s -> s.action().equals(DeploymentStep.PAUSE)
                ? s.withStatus(DeploymentStep.DONE) : s).toList();
        return copy(d, DeploymentState.RUNNING, null, steps, d.currentStep(), d.progress(), null, now);
    }

    /** The deployment ends as {@code state} (a terminal one) for {@code reason}; the step under way is FAILED. */
    public static Deployment end(Deployment d, DeploymentState state, String reason, Instant now) {
        List<DeploymentStep> steps = new ArrayList<>(d.steps());
        if (state != DeploymentState.SUCCEEDED && d.currentStep() < steps.size()) {
            steps.set(d.currentStep(), steps.get(d.currentStep()).withStatus(DeploymentStep.FAILED));
        }
        return copy(d, state, reason, steps, d.currentStep(), d.progress(), now, now);
    }

    /** Why the deployment fails now, or null: its deadline passed, or too many new tasks failed. */
    public static String failure(Deployment d, int newFailures, String lastFailure, Instant now) {
        if (d.isFinished() || d.state() == DeploymentState.PAUSED) {
            // A paused deployment waits for a person; its deadline does not run out under them.
            return null;
        }
        if (newFailures >= FAILURES_ALLOWED) {
            return newFailures + " tasks of the new version failed"
                    + (lastFailure == null ? "" : " (last: " + lastFailure + ")");
        }
        if (d.deadline() != null && now.isAfter(d.deadline())) {
            return "not done within progressDeadlineSeconds (" + d.to().upgradeStrategy().progressDeadlineSeconds()
                    + "s): " + d.progress().newHealthy() + " of " + d.progress().target()
                    + " new instances healthy";
        }
        return null;
    }

    private static Deployment copy(Deployment d, DeploymentState state, String reason, List<DeploymentStep> steps,
                                   int current, DeploymentProgress progress, Instant finishedAt, Instant now) {
        return new Deployment(Ids.newId(), Message.SCHEMA_VERSION, now, d.correlationId(), d.deploymentId(),
                d.appId(), d.fromVersion(), d.toVersion(), d.from(), d.to(), state, reason, steps, current, progress,
                d.startedAt(), d.deadline(), finishedAt, d.cause());
    }
}
