package dev.berth.scheduler.deployment;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.PersistentVolume;
import dev.berth.contracts.app.UpgradeStrategy;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.DeploymentStep;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentPlannerTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private static AppDefinition web(int n, UpgradeStrategy s) {
        return AppDefinition.basic("/web", "v2", null, n, 0.1, 16, 0, Map.of(), Map.of(), List.of())
                .withUpgradeStrategy(s);
    }

    private static List<String> actions(List<DeploymentStep> steps) {
        return steps.stream().map(DeploymentStep::action).toList();
    }

    @Test
    void theDefaultStrategyRollsThenWaitsForHealth() {
        List<DeploymentStep> steps = DeploymentPlanner.plan(web(4, UpgradeStrategy.STATELESS_DEFAULT));

        assertEquals(List.of("ROLL", "WAIT_HEALTHY"), actions(steps));
        assertEquals("4 instances: at least 4 healthy, at most 8 running", steps.get(0).detail());
        assertTrue(steps.stream().allMatch(s -> s.status().equals(DeploymentStep.PENDING)));
    }

    @Test
    void aQuarterOverCapacityAllowsOneExtraOfFour() {
        List<DeploymentStep> steps = DeploymentPlanner.plan(web(4, new UpgradeStrategy(1.0, 0.25, 0, true, false, 600)));

        assertEquals("4 instances: at least 4 healthy, at most 5 running", steps.get(0).detail());
    }

    @Test
    void canariesWithoutAutoPromotePauseBeforeTheRoll() {
        List<DeploymentStep> steps = DeploymentPlanner.plan(web(3, new UpgradeStrategy(1.0, 1.0, 1, false, false, 600)));

        assertEquals(List.of("START_CANARIES", "PAUSE", "ROLL", "WAIT_HEALTHY"), actions(steps));
        assertEquals("1 canary beside the 3 instances", steps.get(0).detail());
    }

    @Test
    void canariesWithAutoPromoteDoNotPause() {
        assertEquals(List.of("START_CANARIES", "ROLL", "WAIT_HEALTHY"),
                actions(DeploymentPlanner.plan(web(3, new UpgradeStrategy(1.0, 1.0, 1, true, false, 600)))));
    }

    @Test
    void aStatefulAppUpgradesInPlaceIdentityByIdentityWithItsCanariesFirst() {
        AppDefinition db = AppDefinition.basic("/db", "v2", null, 3, 0.1, 16, 0, Map.of(), Map.of(), List.of())
                .withVolumes(List.of(new AppVolume("data", VolumeMode.RW, new PersistentVolume("root", 64), null)))
                .withUpgradeStrategy(new UpgradeStrategy(0.5, 0, 1, false, false, 600));

        List<DeploymentStep> steps = DeploymentPlanner.plan(db);

        assertEquals(List.of("UPGRADE_IN_PLACE", "PAUSE", "UPGRADE_IN_PLACE", "UPGRADE_IN_PLACE", "WAIT_HEALTHY"),
                actions(steps));
        assertEquals(List.of("db-0", "db-1", "db-2"), steps.stream()
                .filter(s -> s.action().equals(DeploymentStep.UPGRADE_IN_PLACE)).map(DeploymentStep::detail).toList());
    }

    @Test
    void inPlaceGoesAsManyAtOnceAsTheHealthCapacityLetsButAtLeastOne() {
        assertEquals(1, DeploymentPlanner.inPlaceAtOnce(UpgradeStrategy.STATEFUL_DEFAULT, 3));
        assertEquals(2, DeploymentPlanner.inPlaceAtOnce(UpgradeStrategy.STATEFUL_DEFAULT, 4));
        assertEquals(1, DeploymentPlanner.inPlaceAtOnce(new UpgradeStrategy(1.0, 0, 0, true, false, 600), 4));
    }

    @Test
    void theRollKeepsTheMinimumHealthyAndTheExtraWithinBounds() {
        Deployment d = Rollout.start("/web", 1, 2, web(4, UpgradeStrategy.STATELESS_DEFAULT),
                web(4, new UpgradeStrategy(0.75, 0.25, 0, true, false, 600)), Deployment.CAUSE_UPDATE, "c", T0);

        // 4 old serving, none extra yet: one new may start beside, one serving old may go first
        assertEquals(new Rollout.Limits(1, Integer.MAX_VALUE, Integer.MAX_VALUE, 1, false, true),
                Rollout.limits(d, 4, new Rollout.Headcount(4, 4, 0)));
        // one extra on a node already: none more may start
        assertEquals(0, Rollout.limits(d, 4, new Rollout.Headcount(5, 4, 1)).startAtMost());
        // only 3 serving: no serving one may go first
        assertEquals(0, Rollout.limits(d, 4, new Rollout.Headcount(4, 3, 0)).servingToStop());
    }

    @Test
    void tasksBeingStoppedTakeTheirShareOfTheOverCapacityUntilTheyHaveEnded() {
        Deployment d = Rollout.start("/web", 1, 2, web(3, UpgradeStrategy.STATELESS_DEFAULT),
                web(3, new UpgradeStrategy(1.0, 0.34, 0, true, false, 600)), Deployment.CAUSE_UPDATE, "c", T0);

        // 3 wanted and 1 old still being killed: 4 on the nodes, the most 3 × 1.34 allows; nothing starts
        assertEquals(0, Rollout.limits(d, 3, new Rollout.Headcount(4, 3, 1)).startAtMost());
        // once it ended, one may
        assertEquals(1, Rollout.limits(d, 3, new Rollout.Headcount(3, 3, 1)).startAtMost());
    }

    @Test
    void aCanaryWithoutRoomBesideTakesAnOldInstancesPlaceOnlyWithinTheHealthMinimum() {
        AppDefinition v1 = web(3, UpgradeStrategy.STATELESS_DEFAULT);
        Deployment loose = Rollout.start("/web", 1, 2, v1, web(3, new UpgradeStrategy(0.5, 0.25, 1, false, false, 600)),
                Deployment.CAUSE_UPDATE, "c", T0);
        Deployment strict = Rollout.start("/web", 1, 2, v1, web(3, new UpgradeStrategy(1.0, 0.25, 1, false, false, 600)),
                Deployment.CAUSE_UPDATE, "c", T0);

        // 0.25 of 3 is no extra: the canary cannot start beside the 3 serving old ones
        Rollout.Limits inPlace = Rollout.limits(loose, 3, new Rollout.Headcount(3, 3, 0));
        assertEquals(new Rollout.Limits(0, 1, 1, 1, true, true), inPlace);
        // with all 3 needed, only an old one that does not serve may make way for it
        assertEquals(new Rollout.Limits(0, 1, 1, 0, true, true), Rollout.limits(strict, 3, new Rollout.Headcount(3, 3, 0)));
    }

    @Test
    void aDeploymentSucceedsOnceEveryInstanceIsNewAndUp() {
        Deployment d = Rollout.start("/web", 1, 2, web(2, UpgradeStrategy.STATELESS_DEFAULT),
                web(2, UpgradeStrategy.STATELESS_DEFAULT), Deployment.CAUSE_UPDATE, "c", T0);

        Deployment halfway = Rollout.evaluate(d, new Rollout.Tally(2, 1, 2, 1, 3), T0);
        Deployment done = Rollout.evaluate(halfway, new Rollout.Tally(2, 2, 2, 0, 2), T0.plusSeconds(5));

        assertEquals(DeploymentState.RUNNING, halfway.state());
        assertEquals("1 of 2 new instances healthy, 1 old still running", halfway.reason());
        assertEquals(DeploymentState.SUCCEEDED, done.state());
        assertEquals(T0.plusSeconds(5), done.finishedAt());
        assertNull(done.reason());
        assertSame(done, Rollout.evaluate(done, new Rollout.Tally(2, 2, 2, 0, 2), T0.plusSeconds(9)));
    }

    @Test
    void aDeploymentFailsPastItsDeadlineOrAfterThreeFailedTasksButNotWhilePaused() {
        Deployment d = Rollout.start("/web", 1, 2, web(2, UpgradeStrategy.STATELESS_DEFAULT),
                web(2, UpgradeStrategy.STATELESS_DEFAULT), Deployment.CAUSE_UPDATE, "c", T0);

        assertNull(Rollout.failure(d, 2, null, T0.plusSeconds(600)));
        assertTrue(Rollout.failure(d, 0, null, T0.plusSeconds(601)).startsWith("not done within progressDeadlineSeconds (600s)"));
        assertEquals("3 tasks of the new version failed (last: t: HTTP 500)", Rollout.failure(d, 3, "t: HTTP 500", T0));
    }
}
