package dev.berth.scheduler.deployment;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.UpgradeStrategy;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.DeploymentStep;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes the plan of a deployment (after Marathon's {@code DeploymentPlan}): the steps that take an
 * app from one definition to another under the new definition's {@link UpgradeStrategy}. The plan is
 * what an operator reads ({@code GET /v1/deployments/{id}}); the {@link Rollout} rules carry it out
 * and mark its steps. Plain functions of the two definitions.
 *
 * <ul>
 *   <li>Stateless: {@code START_CANARIES} and {@code PAUSE} when the strategy asks for canaries (no
 *       pause with {@code autoPromote}), then {@code ROLL} (new instances beside old within
 *       {@code maximumOverCapacity}, old ones stopped as new ones get healthy, never below
 *       {@code minimumHealthCapacity}), then {@code WAIT_HEALTHY}.</li>
 *   <li>Stateful: in place, one {@code UPGRADE_IN_PLACE} step per identity (the first {@code canary}
 *       of them before the pause), then {@code WAIT_HEALTHY}. Identities go at most
 *       {@link #inPlaceAtOnce} at a time.</li>
 * </ul>
 */
public final class DeploymentPlanner {
    private DeploymentPlanner() {
    }

    public static List<DeploymentStep> plan(AppDefinition to) {
        UpgradeStrategy s = to.upgradeStrategy();
        int n = to.instances();
        List<DeploymentStep> steps = new ArrayList<>();
        if (to.isStateful()) {
            for (int i = 0; i < n; i++) {
                if (i == s.canary() && s.canary() > 0 && !s.autoPromote()) {
                    steps.add(DeploymentStep.pending(DeploymentStep.PAUSE, "canaries healthy: promote or roll back"));
                }
                steps.add(DeploymentStep.pending(DeploymentStep.UPGRADE_IN_PLACE, Volumes.identity(to.id(), i)));
            }
        } else {
            if (s.canary() > 0) {
                steps.add(DeploymentStep.pending(DeploymentStep.START_CANARIES, s.canary()
                        + (s.canary() == 1 ? " canary" : " canaries") + " beside the " + n + " instances"));
                if (!s.autoPromote()) {
                    steps.add(DeploymentStep.pending(DeploymentStep.PAUSE, "canaries healthy: promote or roll back"));
                }
            }
            steps.add(DeploymentStep.pending(DeploymentStep.ROLL, n + " instances: at least "
                    + s.minimumHealthy(n) + " healthy, at most " + (n + s.maximumExtra(n)) + " running"));
        }
        steps.add(DeploymentStep.pending(DeploymentStep.WAIT_HEALTHY, n + " new instances healthy"));
        return steps;
    }

    /**
     * How many identities of a stateful app may be down at once during an in-place upgrade: as many as
     * {@code minimumHealthCapacity} lets go ({@code n - ceil(m × n)}, the same bound as for stateless
     * apps), but at least one, or it could never move.
     */
    public static int inPlaceAtOnce(UpgradeStrategy strategy, int n) {
        return Math.max(1, n - strategy.minimumHealthy(n));
    }
}
