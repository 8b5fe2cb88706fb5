package dev.berth.gateway;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentProgress;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.DeploymentStep;
import dev.berth.contracts.messages.Ids;
import dev.berth.contracts.messages.Message;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Deployments as the scheduler would record them, for tests that play it on the real broker. */
final class DeploymentFixtures {
    private DeploymentFixtures() {
    }

    /**
     * A canary deployment of {@code appId} from version 1 ({@code from}) to 2 ({@code to}, with a changed
     * command), started {@code startedAt}: one canary up, the rest of the plan pending, in {@code state}.
     */
    static Deployment canary(String deploymentId, AppDefinition from, DeploymentState state, String reason,
                             Instant startedAt) {
        AppDefinition to = new AppDefinition(from.id(), from.cmd() + " # v2", from.args(), from.instances(),
                from.cpus(), from.mem(), from.disk(), from.env(), from.labels(), from.portDefinitions(),
                from.container(), from.constraints(), from.affinity(), from.placementStrategy(), from.backoffSeconds(),
                from.backoffFactor(), from.maxLaunchDelaySeconds(), from.taskKillGracePeriodSeconds(),
                from.killSelection(), from.healthChecks(), from.user(), from.isolation(), from.unreachableStrategy(),
                from.upgradeStrategy().withCanary(1));
        List<DeploymentStep> steps = List.of(
                new DeploymentStep(DeploymentStep.START_CANARIES, "1 canary", DeploymentStep.DONE),
                new DeploymentStep(DeploymentStep.PAUSE, "promote or roll back",
                        state == DeploymentState.PAUSED ? DeploymentStep.RUNNING : DeploymentStep.PENDING),
                DeploymentStep.pending(DeploymentStep.ROLL, from.instances() + " instances"));
        boolean finished = state.isTerminal();
        return new Deployment(Ids.newId(), Message.SCHEMA_VERSION, Instant.now(), null, deploymentId, from.id(), 1, 2,
                from, to, state, reason, steps, finished ? steps.size() : 1,
                new DeploymentProgress(from.instances(), 1, 1, from.instances()), startedAt,
                startedAt.plus(Duration.ofMinutes(10)), finished ? startedAt.plusSeconds(30) : null,
                Deployment.CAUSE_UPDATE);
    }
}
