package dev.berth.gateway.deployments;

import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentProgress;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.DeploymentStep;

import java.time.Instant;
import java.util.List;

/**
 * A deployment as the API shows it: where it stands and why, its plan with each step's status, and how
 * far it got. The two definitions it rolls between are left out (each is a whole app definition, and
 * {@code GET /v1/apps/{id}/versions/{fromVersion|toVersion}} shows them).
 */
public record DeploymentJson(String id, String appId, long fromVersion, long toVersion, DeploymentState state,
                             String reason, List<DeploymentStep> steps, int currentStep,
                             DeploymentProgress progress, Instant startedAt, Instant deadline, Instant finishedAt,
                             String cause) {

    public static DeploymentJson of(Deployment d) {
        return new DeploymentJson(d.deploymentId(), d.appId(), d.fromVersion(), d.toVersion(), d.state(), d.reason(),
                d.steps(), d.currentStep(), d.progress(), d.startedAt(), d.deadline(), d.finishedAt(), d.cause());
    }

    /**
     * What an app shows of the deployment under way: enough to tell whether it moves and why not; the
     * rest is one GET away at {@code /v1/deployments/{id}}.
     */
    public record Summary(String id, DeploymentState state, String reason, DeploymentProgress progress) {
        public static Summary of(Deployment d) {
            return new Summary(d.deploymentId(), d.state(), d.reason(), d.progress());
        }
    }
}
