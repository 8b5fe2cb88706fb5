package dev.berth.contracts.messages;

import dev.berth.contracts.app.AppDefinition;

import java.time.Instant;
import java.util.List;

/**
 * The whole state of one deployment: the roll-out of an app from one definition to another, as a plan
 * of steps (after Marathon's deployment plans, with Nomad's canaries and auto-revert). On the compacted
 * {@code berth.deployments} keyed by {@code deploymentId}; written only by the scheduler, in the same
 * transaction as the app and task records each change goes with, so a scheduler that takes over reads
 * the latest one and carries on where the last left off. Read by the gateway for
 * {@code GET /v1/deployments}. The latest 20 finished deployments per app are kept; older ones and
 * those of a deleted app are tombstoned.
 *
 * @param deploymentId  its id (also the key), stable across all its changes
 * @param fromVersion   the app version it started from
 * @param toVersion     the app version it rolls out (a rollback makes yet another, later version)
 * @param from          the definition old instances run: tasks lost during the roll are relaunched with it
 * @param to            the definition being rolled out
 * @param reason        why it waits, or why it failed or was rolled back, in words an operator can act
 *                      on; null while nothing is in the way
 * @param steps         the plan: what the planner computed, with each step's status
 * @param currentStep   index into {@code steps} of the step under way ({@code steps.size()} once done)
 * @param progress      counts at its last change
 * @param startedAt     when it was created
 * @param deadline      {@code startedAt + progressDeadlineSeconds}: past it, it fails (or rolls back)
 * @param finishedAt    when it reached a terminal state; null before
 * @param cause         {@code update}, {@code restart} or {@code rollback}
 */
public record Deployment(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String deploymentId, String appId, long fromVersion, long toVersion,
                         AppDefinition from, AppDefinition to, DeploymentState state, String reason,
                         List<DeploymentStep> steps, int currentStep, DeploymentProgress progress,
                         Instant startedAt, Instant deadline, Instant finishedAt, String cause) implements Message {

    public static final String CAUSE_UPDATE = "update";
    public static final String CAUSE_RESTART = "restart";
    public static final String CAUSE_ROLLBACK = "rollback";

    public Deployment {
        steps = steps == null ? List.of() : List.copyOf(steps);
        progress = progress == null ? DeploymentProgress.NONE : progress;
    }

    /** True once nothing more will happen to it. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isFinished() {
        return state != null && state.isTerminal();
    }
}
