package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.app.PersistentVolume;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.app.UpgradeStrategy;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.CommandReply.Outcome;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.PromoteDeployment;
import dev.berth.contracts.messages.RollbackApp;
import dev.berth.contracts.messages.RollbackDeployment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UpdateApp;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deployments over the core with simulated agents: every task the core launches is reported as it
 * would be (RUNNING, then HEALTHY or failing its checks), every kill as KILLED, volumes answered by the
 * volume service double, and time moved on by ticks.
 */
class DeploymentsTest {
    private static final String WEB = "/team/web";
    private static final String DB = "/team/db";
    private static final HealthCheck TCP = new HealthCheck(HealthCheck.Protocol.TCP, null, 0, null, null, 300, 60, 20,
            3, 15);
    private static final AppVolume LOCAL = new AppVolume("data", VolumeMode.RW, new PersistentVolume("root", 64), null);

    private Instant now = Instant.parse("2026-11-25T12:00:00Z");
    private SchedulerCore core = newCore();
    private final VolumeServiceDouble service = new VolumeServiceDouble();
    /** Every action the core emitted, in order: what the topics would hold. */
    private final List<Action> log = new ArrayList<>();
    /** The command each task was launched with: tells the versions apart. */
    private final Map<String, String> cmdOf = new HashMap<>();
    /** The simulated nodes: id → whether it serves local volumes. */
    private final Map<String, Boolean> nodes = new LinkedHashMap<>();

    // ---- rolling -----------------------------------------------------------------------------------

    @Test
    void aRollingUpgradeOfFourWithFullHealthCapacityNeverHasFewerThanFourHealthyAndStopsOldOnlyAfterNew() {
        // Given 4 healthy instances of v1, upgraded at most one extra at a time
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 0.25, 0, true, false, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(4, "v1", strategy, true)), now));
        drive(healthyUnless(cmd -> false), state -> { });

        // When v2 is rolled out, with every step checked
        CommandReply reply = reply(act(core.onAppCommand(UpdateApp.of(web(4, "v2", strategy, true), null), now)));
        assertEquals(Outcome.ACCEPTED, reply.outcome());
        Deployment started = latestDeployment();
        assertEquals(DeploymentState.RUNNING, started.state());
        drive(healthyUnless(cmd -> false), step -> {
            List<TaskRecord> wanted = wanted(WEB);
            long healthy = wanted.stream().filter(t -> t.state() == TaskState.HEALTHY).count();
            long newHealthy = wanted.stream().filter(t -> t.state() == TaskState.HEALTHY && cmdOf.get(t.taskId())
                    .equals("v2")).count();
            long oldStopped = 4 - wanted.stream().filter(t -> cmdOf.get(t.taskId()).equals("v1")).count();
            // Then never fewer than 4 healthy, never more than 5 wanted, and no old one stopped before a new one is up
            assertTrue(healthy >= 4, "healthy " + healthy + " of " + wanted);
            assertTrue(wanted.size() <= 5, "wanted " + wanted.size());
            assertTrue(oldStopped <= newHealthy, oldStopped + " old stopped, " + newHealthy + " new healthy");
        });

        // And it completes with 4 healthy v2 instances
        Deployment done = latestDeployment();
        assertEquals(started.deploymentId(), done.deploymentId());
        assertEquals(DeploymentState.SUCCEEDED, done.state());
        assertEquals(List.of("v2", "v2", "v2", "v2"), wanted(WEB).stream().map(t -> cmdOf.get(t.taskId())).toList());
        assertTrue(wanted(WEB).stream().allMatch(t -> t.state() == TaskState.HEALTHY));
        assertTrue(events().contains(EventTypes.DEPLOYMENT_STARTED));
        assertTrue(events().contains(EventTypes.DEPLOYMENT_SUCCEEDED));
    }

    @Test
    void oldInstancesWhoseHealthIsNotKnownYetServeUntilNewOnesAreHealthyAndNoMoreStartThanTheOverCapacityAllows() {
        // Given 3 v1 instances RUNNING whose health checks have not reported yet, and 1 extra allowed
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 0.34, 0, true, false, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(3, "v1", strategy, true)), now));
        drive(runningOnly(), state -> { });
        assertTrue(wanted(WEB).stream().allMatch(t -> t.state() == TaskState.RUNNING));

        // When v2 is rolled out while the old ones' health is still unknown
        act(core.onAppCommand(UpdateApp.of(web(3, "v2", strategy, true), null), now));

        // Then one new task starts beside them, and none of them is stopped for it
        assertEquals(Map.of("v1", 3L, "v2", 1L), versions(onNodes(WEB)));
        assertEquals(3, wanted(WEB).stream().filter(t -> cmdOf.get(t.taskId()).equals("v1")).count());
        drive(newHealthyOldUnknown(), step -> {
            // And throughout: never more than 4 tasks on the nodes (those being stopped too), never fewer
            // than 3 serving, and no old one stopped before a new one is healthy
            assertTrue(onNodes(WEB).size() <= 4, "on nodes: " + onNodes(WEB));
            assertTrue(serving(WEB) >= 3, "serving " + serving(WEB) + " of " + onNodes(WEB));
            assertTrue(oldStopped(WEB, 3) <= newHealthy(WEB), oldStopped(WEB, 3) + " old stopped, "
                    + newHealthy(WEB) + " new healthy");
        });

        // And it completes with 3 healthy v2 instances
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v2", 3L), versions(wanted(WEB)));
    }

    @Test
    void anOldInstanceFailingItsChecksIsStoppedWithoutWaitingButItsSuccessorStartsOnlyOnceThereIsRoom() {
        // Given 4 v1 instances, one failing its checks, three whose health is not known yet; none extra allowed
        UpgradeStrategy strategy = new UpgradeStrategy(0.75, 0.0, 0, true, false, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(4, "v1", strategy, true)), now));
        drive(runningOnly(), state -> { });
        TaskRecord failing = wanted(WEB).get(0);
        act(core.onTaskStatus(status(failing, TaskState.UNHEALTHY, new HealthReport(0, 1, 3, "connection refused")), now));

        // When v2 is rolled out
        act(core.onAppCommand(UpdateApp.of(web(4, "v2", strategy, true), null), now));

        // Then the failing one is stopped at once, the others serve on, and nothing starts while it is still on its node
        assertEquals(DesiredState.STOP, core.tasksOf(WEB).stream().filter(t -> t.taskId().equals(failing.taskId()))
                .findFirst().orElseThrow().desired());
        assertEquals(Map.of("v1", 4L), versions(onNodes(WEB)));
        assertEquals(3, serving(WEB));
        drive(newHealthyOldUnknown(), step -> {
            // And throughout: never more than 4 tasks on the nodes, never fewer than 3 serving
            assertTrue(onNodes(WEB).size() <= 4, "on nodes: " + onNodes(WEB));
            assertTrue(serving(WEB) >= 3, "serving " + serving(WEB) + " of " + onNodes(WEB));
        });
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v2", 4L), versions(wanted(WEB)));
    }

    @Test
    void aNewVersionFailingItsHealthChecksIsRolledBackAutomaticallyWithoutRestartingTheOldTasks() {
        // Given 2 healthy instances of v1 whose strategy rolls back on failure
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 1.0, 0, true, true, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(2, "v1", strategy, true)), now));
        drive(healthyUnless(cmd -> false), state -> { });
        Set<String> originals = ids(wanted(WEB));

        // When v2, whose checks always fail, is rolled out
        act(core.onAppCommand(UpdateApp.of(web(2, "v2", strategy, true), null), now));
        drive(healthyUnless(cmd -> cmd.equals("v2")), state -> { });

        // Then the deployment is rolled back with the reason, v1 is back as a new version, and the old tasks never stopped
        Deployment d = latestDeployment();
        assertEquals(DeploymentState.ROLLED_BACK, d.state());
        assertTrue(d.reason().startsWith("rolled back automatically: 3 tasks of the new version failed"), d.reason());
        AppState app = core.app(WEB).orElseThrow();
        assertEquals("v1", app.definition().cmd());
        assertEquals(3, app.version());
        assertTrue(log.stream().anyMatch(a -> a instanceof Action.RecordVersion v && v.version().version() == 3
                && v.version().change().equals(AppVersion.ROLLED_BACK)));
        assertEquals(originals, ids(wanted(WEB)));
        assertTrue(events().contains(EventTypes.DEPLOYMENT_ROLLED_BACK));
    }

    @Test
    void aDeploymentPastItsDeadlineWithoutAutoRollbackFailsAndLeavesTheMix() {
        // Given 2 healthy v1 instances and an update to v2 that never gets healthy
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 1.0, 0, true, false, 60);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(2, "v1", strategy, true)), now));
        drive(healthyUnless(cmd -> false), state -> { });
        Set<String> originals = ids(wanted(WEB));
        act(core.onAppCommand(UpdateApp.of(web(2, "v2", strategy, true), null), now));
        drive(runningOnly(), state -> { });

        // When its deadline passes
        now = now.plusSeconds(61);
        nodes.forEach(this::heartbeat);
        act(core.onTick(now));

        // Then it failed with the reason, and the old and new tasks stay as they were
        Deployment d = latestDeployment();
        assertEquals(DeploymentState.FAILED, d.state());
        assertTrue(d.reason().startsWith("not done within progressDeadlineSeconds (60s): 0 of 2 new instances healthy"),
                d.reason());
        assertTrue(ids(wanted(WEB)).containsAll(originals));
        assertEquals(4, wanted(WEB).size());
        assertEquals(2, core.app(WEB).orElseThrow().version());
        now = now.plusSeconds(5);
        nodes.forEach(this::heartbeat);
        act(core.onTick(now));
        assertEquals(4, wanted(WEB).size(), "a failed deployment moves nothing more");
    }

    // ---- canaries ------------------------------------------------------------------------------------

    @Test
    void oneCanaryOfThreePausesAndAPromoteCompletesTheRoll() {
        // Given 3 running v1 instances and a strategy with one canary, promoted by hand
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 1.0, 1, false, false, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(3, "v1", strategy, false)), now));
        drive(healthyUnless(cmd -> false), state -> { });

        // When v2 is deployed
        act(core.onAppCommand(UpdateApp.of(web(3, "v2", strategy, false), null), now));
        drive(healthyUnless(cmd -> false), state -> { });

        // Then it pauses with one canary beside the three old instances
        Deployment paused = latestDeployment();
        assertEquals(DeploymentState.PAUSED, paused.state());
        assertEquals("1 canary healthy; promote or roll back", paused.reason());
        assertEquals(Map.of("v1", 3L, "v2", 1L), versions(wanted(WEB)));
        assertTrue(events().contains(EventTypes.DEPLOYMENT_PAUSED));

        // And a promote completes it
        CommandReply promoted = reply(act(core.onAppCommand(PromoteDeployment.of(WEB, paused.deploymentId()), now)));
        assertEquals(Outcome.ACCEPTED, promoted.outcome());
        drive(healthyUnless(cmd -> false), state -> { });
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v2", 3L), versions(wanted(WEB)));
    }

    @Test
    void aCanaryBesideOldInstancesWhoseHealthIsNotKnownYetStopsNoneOfThemAndThePromotedRollKeepsTheBounds() {
        // Given 3 v1 instances RUNNING whose health is not known yet, one canary, 1 extra allowed
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 0.34, 1, false, false, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(3, "v1", strategy, true)), now));
        drive(runningOnly(), state -> { });

        // When v2 is deployed
        act(core.onAppCommand(UpdateApp.of(web(3, "v2", strategy, true), null), now));
        drive(newHealthyOldUnknown(), step -> assertTrue(onNodes(WEB).size() <= 4, "on nodes: " + onNodes(WEB)));

        // Then it pauses with the canary beside the three old ones, none of them stopped
        assertEquals(DeploymentState.PAUSED, latestDeployment().state());
        assertEquals(Map.of("v1", 3L, "v2", 1L), versions(onNodes(WEB)));

        // And the promoted roll never has more than 4 on the nodes nor fewer than 3 serving
        act(core.onAppCommand(PromoteDeployment.of(WEB, latestDeployment().deploymentId()), now));
        drive(newHealthyOldUnknown(), step -> {
            assertTrue(onNodes(WEB).size() <= 4, "on nodes: " + onNodes(WEB));
            assertTrue(serving(WEB) >= 3, "serving " + serving(WEB) + " of " + onNodes(WEB));
        });
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v2", 3L), versions(wanted(WEB)));
    }

    @Test
    void aCanaryWithoutRoomBesideTakesThePlaceOfAnOldInstanceWithinTheHealthMinimum() {
        // Given 3 v1 instances, no extra allowed (0.25 of 3 is none), and one of them may go down
        UpgradeStrategy strategy = new UpgradeStrategy(0.5, 0.25, 1, false, false, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(3, "v1", strategy, true)), now));
        drive(runningOnly(), state -> { });

        // When v2 is deployed
        act(core.onAppCommand(UpdateApp.of(web(3, "v2", strategy, true), null), now));
        drive(newHealthyOldUnknown(), step -> assertTrue(onNodes(WEB).size() <= 3, "on nodes: " + onNodes(WEB)));

        // Then the canary took the place of one old instance, and the deployment waits for a promote
        assertEquals(DeploymentState.PAUSED, latestDeployment().state());
        assertEquals(Map.of("v1", 2L, "v2", 1L), versions(onNodes(WEB)));
    }

    @Test
    void aCanaryRolledBackIsRemovedAndTheOldInstancesStay() {
        // Given a deployment paused with one canary
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 1.0, 1, false, false, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(3, "v1", strategy, false)), now));
        drive(healthyUnless(cmd -> false), state -> { });
        Set<String> originals = ids(wanted(WEB));
        act(core.onAppCommand(UpdateApp.of(web(3, "v2", strategy, false), null), now));
        drive(healthyUnless(cmd -> false), state -> { });
        Deployment paused = latestDeployment();

        // When it is rolled back
        CommandReply reply = reply(act(core.onAppCommand(RollbackDeployment.of(WEB, paused.deploymentId()), now)));
        drive(healthyUnless(cmd -> false), state -> { });

        // Then the canary is gone, the three old tasks run on, and v1 is back as version 3
        assertEquals(Outcome.ACCEPTED, reply.outcome());
        assertEquals(3, reply.appVersion());
        assertEquals(DeploymentState.ROLLED_BACK, latestDeployment().state());
        assertEquals("rolled back by an operator", latestDeployment().reason());
        assertEquals(originals, ids(wanted(WEB)));
        assertEquals("v1", core.app(WEB).orElseThrow().definition().cmd());
    }

    @Test
    void aRollbackReconcilesItsAppOnceAndLaunchesItsInstancesOnce() {
        // Given a deployment paused with one canary, and a count of the core's passes over apps
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 1.0, 1, false, false, 600);
        node("node-1");
        List<String> passes = new ArrayList<>();
        core.watchPasses(passes::add);
        act(core.onAppCommand(CreateApp.of(web(3, "v1", strategy, false)), now));
        assertEquals(List.of(WEB), passes, "a create reconciles its app once");
        drive(healthyUnless(cmd -> false), state -> { });
        act(core.onAppCommand(UpdateApp.of(web(3, "v2", strategy, false), null), now));
        drive(healthyUnless(cmd -> false), state -> { });
        Deployment paused = latestDeployment();
        passes.clear();

        // When it is rolled back (the rollback and the accepted command both touch the app)
        List<Action> actions = core.onAppCommand(RollbackDeployment.of(WEB, paused.deploymentId()), now);
        act(actions);

        // Then the app is reconciled once for the command, and the reply comes after what it decided
        assertEquals(List.of(WEB), passes);
        assertTrue(actions.get(actions.size() - 1) instanceof Action.Reply);
        long launches = actions.stream().filter(a -> a instanceof Action.SendToNode s
                && s.command() instanceof LaunchTask).count();
        long recordedNew = actions.stream().filter(a -> a instanceof Action.RecordTask r
                && r.task().desired() == DesiredState.RUN && r.task().state() == TaskState.STAGING).count();
        assertEquals(recordedNew, launches, "one launch per task placed, no second set");
    }

    @Test
    void aPromoteOfADeploymentThatIsNotPausedIsAConflictAndOfAnUnknownOneNotFound() {
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(2, "v1", UpgradeStrategy.STATELESS_DEFAULT, true)), now));
        act(core.onAppCommand(UpdateApp.of(web(2, "v2", UpgradeStrategy.STATELESS_DEFAULT, true), null), now));

        CommandReply conflict = reply(act(core.onAppCommand(PromoteDeployment.of(WEB, latestDeployment().deploymentId()), now)));
        CommandReply unknown = reply(act(core.onAppCommand(PromoteDeployment.of(WEB, "nope"), now)));

        assertEquals(Outcome.CONFLICT, conflict.outcome());
        assertTrue(conflict.reason().contains("is RUNNING, not PAUSED"), conflict.reason());
        assertEquals(Outcome.NOT_FOUND, unknown.outcome());
        assertEquals("no deployment nope of /team/web", unknown.reason());
    }

    // ---- a second change ----------------------------------------------------------------------------

    @Test
    void aSecondChangeWhileADeploymentRunsIsAConflictUnlessForcedWhichSupersedesIt() {
        // Given a deployment under way (the new version is not healthy yet)
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(2, "v1", UpgradeStrategy.STATELESS_DEFAULT, true)), now));
        drive(healthyUnless(cmd -> false), state -> { });
        act(core.onAppCommand(UpdateApp.of(web(2, "v2", UpgradeStrategy.STATELESS_DEFAULT, true), null), now));
        Deployment first = latestDeployment();

        // When another update arrives without force, then with force
        CommandReply refused = reply(act(core.onAppCommand(UpdateApp.of(web(2, "v3", UpgradeStrategy.STATELESS_DEFAULT, true),
                null), now)));
        CommandReply forced = reply(act(core.onAppCommand(UpdateApp.of(web(2, "v3", UpgradeStrategy.STATELESS_DEFAULT, true),
                null, true), now)));

        // Then the first is refused with what to do, the second supersedes the running deployment
        assertEquals(Outcome.CONFLICT, refused.outcome());
        assertEquals("a deployment (" + first.deploymentId() + ") of /team/web is running: wait for it, or use"
                + " force=true", refused.reason());
        assertEquals(Outcome.ACCEPTED, forced.outcome());
        assertEquals(DeploymentState.SUPERSEDED, deployment(first.deploymentId()).state());
        Deployment second = latestDeployment();
        assertEquals(DeploymentState.RUNNING, second.state());
        assertEquals(2, second.fromVersion());
        drive(healthyUnless(cmd -> false), state -> { });
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v3", 2L), versions(wanted(WEB)));
    }

    @Test
    void aDeploymentOfADeletedAppIsCancelled() {
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(2, "v1", UpgradeStrategy.STATELESS_DEFAULT, true)), now));
        act(core.onAppCommand(UpdateApp.of(web(2, "v2", UpgradeStrategy.STATELESS_DEFAULT, true), null), now));

        act(core.onAppCommand(DeleteApp.of(WEB), now));

        assertEquals(DeploymentState.CANCELLED, latestDeployment().state());
    }

    @Test
    void aRollbackToAnEarlierVersionIsANewVersionRolledOutAsADeployment() {
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(2, "v1", UpgradeStrategy.STATELESS_DEFAULT, false)), now));
        drive(healthyUnless(cmd -> false), state -> { });
        act(core.onAppCommand(UpdateApp.of(web(2, "v2", UpgradeStrategy.STATELESS_DEFAULT, false), null), now));
        drive(healthyUnless(cmd -> false), state -> { });

        CommandReply reply = reply(act(core.onAppCommand(RollbackApp.of(WEB, 1, false), now)));
        drive(healthyUnless(cmd -> false), state -> { });

        assertEquals(Outcome.ACCEPTED, reply.outcome());
        assertEquals(3, reply.appVersion());
        assertEquals(Deployment.CAUSE_ROLLBACK, latestDeployment().cause());
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v1", 2L), versions(wanted(WEB)));
        assertEquals(Outcome.NOT_FOUND, reply(act(core.onAppCommand(RollbackApp.of(WEB, 9, false), now))).outcome());
    }

    // ---- stateful --------------------------------------------------------------------------------------

    @Test
    void aStatefulAppIsUpgradedInPlaceKeepingEachIdentitysNodeAndVolumesNeverTwoTasksPerIdentity() {
        // Given 3 identities over two nodes, with local volumes
        statefulNode("node-1");
        statefulNode("node-2");
        act(core.onAppCommand(CreateApp.of(db("v1")), now));
        drive(healthyUnless(cmd -> false), state -> { });
        Map<String, String> nodeOf = wanted(DB).stream().collect(Collectors.toMap(TaskRecord::identity,
                TaskRecord::nodeId));
        Map<String, List<String>> volumesOf = wanted(DB).stream().collect(Collectors.toMap(TaskRecord::identity,
                t -> t.volumes().stream().map(v -> v.volumeId()).toList()));

        // When v2 is deployed
        act(core.onAppCommand(UpdateApp.of(db("v2"), null), now));
        drive(healthyUnless(cmd -> false), step -> {
            // Then an identity never has two tasks at once (two versions on one volume)
            Map<String, Long> perIdentity = core.tasksOf(DB).stream().filter(t -> !t.state().isTerminal())
                    .collect(Collectors.groupingBy(TaskRecord::identity, Collectors.counting()));
            assertTrue(perIdentity.values().stream().allMatch(n -> n == 1), perIdentity.toString());
        });

        // And each identity runs v2 on its node with its volumes
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v2", 3L), versions(wanted(DB)));
        for (TaskRecord t : wanted(DB)) {
            assertEquals(nodeOf.get(t.identity()), t.nodeId(), t.identity());
            assertEquals(volumesOf.get(t.identity()), t.volumes().stream().map(v -> v.volumeId()).toList());
        }
    }

    @Test
    void aStatefulCanaryUpgradesTheFirstIdentityInPlaceAndPausesUntilPromoted() {
        // Given 3 identities whose strategy tries one canary
        statefulNode("node-1");
        UpgradeStrategy strategy = new UpgradeStrategy(0.5, 0, 1, false, false, 600);
        act(core.onAppCommand(CreateApp.of(db("v1").withUpgradeStrategy(strategy)), now));
        drive(healthyUnless(cmd -> false), state -> { });

        // When v2 is deployed
        act(core.onAppCommand(UpdateApp.of(db("v2").withUpgradeStrategy(strategy), null), now));
        drive(healthyUnless(cmd -> false), state -> { });

        // Then only db-0 runs v2, and the deployment waits for a promote
        assertEquals(DeploymentState.PAUSED, latestDeployment().state());
        assertEquals(Map.of("db-0", "v2", "db-1", "v1", "db-2", "v1"), wanted(DB).stream()
                .collect(Collectors.toMap(TaskRecord::identity, t -> cmdOf.get(t.taskId()))));

        // And once promoted every identity is upgraded
        act(core.onAppCommand(PromoteDeployment.of(DB, latestDeployment().deploymentId()), now));
        drive(healthyUnless(cmd -> false), state -> { });
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v2", 3L), versions(wanted(DB)));
    }

    @Test
    void aStatefulUpgradeCountsOldIdentitiesWhoseHealthIsNotKnownYetAsServingAndWaitsForEachNewOneToBeHealthy() {
        // Given 3 identities RUNNING whose health is not known yet; one may be down at a time
        statefulNode("node-1");
        statefulNode("node-2");
        act(core.onAppCommand(CreateApp.of(db("v1")), now));
        drive(runningOnly(), state -> { });
        assertEquals(3, wanted(DB).stream().filter(t -> t.state() == TaskState.RUNNING).count());

        // When v2 is deployed
        act(core.onAppCommand(UpdateApp.of(db("v2"), null), now));

        // Then the upgrade starts at once: one identity goes, the others serve on
        assertEquals(1, core.tasksOf(DB).stream().filter(t -> t.desired() == DesiredState.STOP).count());
        drive(newHealthyOldUnknown(), step -> {
            // And throughout: one task per identity at most, and never more than one identity down
            // (a new task counts only once healthy)
            Map<String, Long> perIdentity = onNodes(DB).stream()
                    .collect(Collectors.groupingBy(TaskRecord::identity, Collectors.counting()));
            assertTrue(perIdentity.values().stream().allMatch(n -> n == 1), perIdentity.toString());
            assertTrue(serving(DB) >= 2, "serving " + serving(DB) + " of " + onNodes(DB));
        });
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v2", 3L), versions(wanted(DB)));
    }

    @Test
    void aStatefulCanaryBesideOldIdentitiesWhoseHealthIsNotKnownYetUpgradesOnlyTheFirst() {
        // Given 3 identities RUNNING whose health is not known yet, and one canary
        statefulNode("node-1");
        UpgradeStrategy strategy = new UpgradeStrategy(0.5, 0, 1, false, false, 600);
        act(core.onAppCommand(CreateApp.of(db("v1").withUpgradeStrategy(strategy)), now));
        drive(runningOnly(), state -> { });

        // When v2 is deployed
        act(core.onAppCommand(UpdateApp.of(db("v2").withUpgradeStrategy(strategy), null), now));
        drive(newHealthyOldUnknown(), step -> assertTrue(serving(DB) >= 2, "serving " + serving(DB)));

        // Then db-0 alone runs v2, and the others were never stopped
        assertEquals(DeploymentState.PAUSED, latestDeployment().state());
        assertEquals(Map.of("db-0", "v2", "db-1", "v1", "db-2", "v1"), onNodes(DB).stream()
                .collect(Collectors.toMap(TaskRecord::identity, t -> cmdOf.get(t.taskId()))));
    }

    // ---- failover ----------------------------------------------------------------------------------------

    @Test
    void aSchedulerRebuiltMidDeploymentFromTheRecordsCarriesItToCompletion() {
        // Given a deployment one step in: one new instance started beside the old ones
        UpgradeStrategy strategy = new UpgradeStrategy(1.0, 0.25, 0, true, false, 600);
        node("node-1");
        act(core.onAppCommand(CreateApp.of(web(4, "v1", strategy, false)), now));
        drive(healthyUnless(cmd -> false), state -> { });
        act(core.onAppCommand(UpdateApp.of(web(4, "v2", strategy, false), null), now));
        assertEquals(Map.of("v1", 4L, "v2", 1L), versions(wanted(WEB)));
        String id = latestDeployment().deploymentId();

        // When a new scheduler is rebuilt from what the topics hold
        core = rebuilt();
        node("node-1");
        drive(healthyUnless(cmd -> false), state -> { });

        // Then it carries the same deployment on to completion
        assertEquals(id, latestDeployment().deploymentId());
        assertEquals(DeploymentState.SUCCEEDED, latestDeployment().state());
        assertEquals(Map.of("v2", 4L), versions(wanted(WEB)));
    }

    // ---- the simulated cluster ------------------------------------------------------------------------

    /** What an agent reports next for a task: null when nothing. */
    private Function<TaskRecord, TaskStatus> healthyUnless(java.util.function.Predicate<String> failing) {
        return t -> {
            boolean checks = core.app(t.appId()).map(a -> !a.definition().healthChecks().isEmpty()).orElse(false);
            if (t.state() == TaskState.STAGING) {
                return status(t, TaskState.RUNNING, null);
            }
            if (t.state() == TaskState.RUNNING && checks) {
                return failing.test(cmdOf.get(t.taskId()))
                        ? status(t, TaskState.UNHEALTHY, new HealthReport(0, 3, 3, "connection refused"))
                        : status(t, TaskState.HEALTHY, null);
            }
            return null;
        };
    }

    /**
     * New-version tasks get healthy; v1 tasks stay RUNNING with their health not known yet (within their
     * checks' delay or grace period).
     */
    private Function<TaskRecord, TaskStatus> newHealthyOldUnknown() {
        return t -> {
            if (t.state() == TaskState.STAGING) {
                return status(t, TaskState.RUNNING, null);
            }
            if (t.state() == TaskState.RUNNING && !cmdOf.get(t.taskId()).equals("v1")) {
                return status(t, TaskState.HEALTHY, null);
            }
            return null;
        };
    }

    private Function<TaskRecord, TaskStatus> runningOnly() {
        return t -> t.state() == TaskState.STAGING ? status(t, TaskState.RUNNING, null) : null;
    }

    /**
     * Reports one change at a time (kills first) and checks {@code invariant} after each; once nothing is
     * left to report, moves time on by a tick (backoffs run out). Ends once a tick changes nothing.
     */
    private void drive(Function<TaskRecord, TaskStatus> agent, Consumer<Void> invariant) {
        for (int i = 0; i < 500; i++) {
            TaskStatus next = null;
            for (TaskRecord t : core.tasks()) {
                if (t.desired() == DesiredState.STOP && !t.state().isTerminal() && t.awaitingVolumes().isEmpty()) {
                    next = status(t, TaskState.KILLED, null);
                    break;
                }
            }
            if (next == null) {
                for (TaskRecord t : core.tasks()) {
                    if (t.desired() == DesiredState.RUN && t.awaitingVolumes().isEmpty()) {
                        next = agent.apply(t);
                        if (next != null) {
                            break;
                        }
                    }
                }
            }
            if (next != null) {
                act(core.onTaskStatus(next, now));
                invariant.accept(null);
                continue;
            }
            now = now.plusSeconds(2);
            // The agents keep reporting, with the tasks they run, or their nodes would be lost.
            nodes.forEach((id, stateful) -> heartbeat(id, stateful));
            List<Action> ticked = act(core.onTick(now));
            invariant.accept(null);
            if (ticked.stream().noneMatch(a -> a instanceof Action.SendToNode || a instanceof Action.RecordDeployment)
                    && core.tasks().stream().allMatch(t -> agent.apply(t) == null || t.desired() != DesiredState.RUN)) {
                return;
            }
        }
        throw new AssertionError("no end after 500 steps");
    }

    /** Keeps the actions, answers what the volume service is asked, and notes each launch's command. */
    private List<Action> act(List<Action> actions) {
        List<Action> all = new ArrayList<>(actions);
        List<Action> pending = actions;
        while (true) {
            log.addAll(pending);
            for (Action a : pending) {
                if (a instanceof Action.SendToNode s && s.command() instanceof LaunchTask launch) {
                    cmdOf.put(launch.taskId(), launch.spec().cmd());
                }
            }
            List<VolumeEvent> events = service.answer(pending);
            if (events.isEmpty()) {
                return all;
            }
            pending = new ArrayList<>();
            for (VolumeEvent event : events) {
                pending.addAll(core.onVolumeEvent(event, now));
            }
            all.addAll(pending);
        }
    }

    /** A new core restored from the latest record of every key, as a scheduler taking over reads them. */
    private SchedulerCore rebuilt() {
        Map<String, AppState> apps = new LinkedHashMap<>();
        Map<String, TaskRecord> tasks = new LinkedHashMap<>();
        Map<String, Deployment> deployments = new LinkedHashMap<>();
        List<AppVersion> versions = new ArrayList<>();
        for (Action a : log) {
            if (a instanceof Action.RecordApp r) {
                apps.put(r.app().appId(), r.app());
            } else if (a instanceof Action.RemoveApp r) {
                apps.remove(r.appId());
            } else if (a instanceof Action.RecordTask r) {
                tasks.put(r.task().taskId(), r.task());
            } else if (a instanceof Action.RemoveTask r) {
                tasks.remove(r.taskId());
            } else if (a instanceof Action.RecordDeployment r) {
                deployments.put(r.deployment().deploymentId(), r.deployment());
            } else if (a instanceof Action.RecordVersion r) {
                versions.add(r.version());
            }
        }
        SchedulerCore next = newCore();
        versions.forEach(next.restore()::version);
        apps.values().forEach(next.restore()::app);
        tasks.values().forEach(next.restore()::task);
        deployments.values().forEach(next.restore()::deployment);
        return next;
    }

    private static SchedulerCore newCore() {
        return new SchedulerCore(SchedulerSettings.defaults(), new PlacementEngine(PlacementStrategy.SPREAD));
    }

    private Deployment latestDeployment() {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i) instanceof Action.RecordDeployment r) {
                return r.deployment();
            }
        }
        throw new AssertionError("no deployment recorded");
    }

    private Deployment deployment(String id) {
        Deployment d = core.deployment(id).orElse(null);
        assertNotNull(d, id);
        return d;
    }

    private List<String> events() {
        return log.stream().filter(a -> a instanceof Action.Announce).map(a -> ((Action.Announce) a).event().type())
                .toList();
    }

    private static CommandReply reply(List<Action> actions) {
        List<CommandReply> replies = actions.stream().filter(a -> a instanceof Action.Reply)
                .map(a -> ((Action.Reply) a).reply()).toList();
        assertEquals(1, replies.size(), replies.toString());
        return replies.get(0);
    }

    private List<TaskRecord> wanted(String appId) {
        return core.tasksOf(appId).stream().filter(t -> t.desired() == DesiredState.RUN).toList();
    }

    /** The app's tasks that have not ended: wanted, or being stopped (they still run until KILLED). */
    private List<TaskRecord> onNodes(String appId) {
        return core.tasksOf(appId).stream().filter(t -> !t.state().isTerminal()).toList();
    }

    /** Wanted tasks that serve: healthy, or v1 ones RUNNING with their health not known yet. */
    private long serving(String appId) {
        return wanted(appId).stream().filter(t -> t.state() == TaskState.HEALTHY
                || (t.state() == TaskState.RUNNING && cmdOf.get(t.taskId()).equals("v1"))).count();
    }

    private long newHealthy(String appId) {
        return wanted(appId).stream().filter(t -> t.state() == TaskState.HEALTHY && !cmdOf.get(t.taskId()).equals("v1"))
                .count();
    }

    /** Of {@code instances} v1 tasks, how many are no longer wanted. */
    private long oldStopped(String appId, int instances) {
        return instances - wanted(appId).stream().filter(t -> cmdOf.get(t.taskId()).equals("v1")).count();
    }

    private Map<String, Long> versions(List<TaskRecord> tasks) {
        return tasks.stream().collect(Collectors.groupingBy(t -> cmdOf.get(t.taskId()), Collectors.counting()));
    }

    private static Set<String> ids(List<TaskRecord> tasks) {
        return tasks.stream().map(TaskRecord::taskId).collect(Collectors.toSet());
    }

    private TaskStatus status(TaskRecord task, TaskState state, HealthReport health) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, now, null, task.taskId(), task.appId(), task.nodeId(),
                state, health == null ? null : "HEALTH_CHECK_FAILED: " + health.lastResult(), null, health);
    }

    private static AppDefinition web(int instances, String cmd, UpgradeStrategy strategy, boolean checks) {
        return AppDefinition.basic(WEB, cmd, null, instances, 0.1, 16, 0, Map.of(), Map.of(),
                        List.of(new PortDefinition(0, "http", "tcp", Map.of())))
                .withHealthChecks(checks ? List.of(TCP) : List.of()).withUpgradeStrategy(strategy);
    }

    private static AppDefinition db(String cmd) {
        return AppDefinition.basic(DB, cmd, null, 3, 0.1, 16, 0, Map.of(), Map.of(), List.of())
                .withVolumes(List.of(LOCAL)).withHealthChecks(List.of(new HealthCheck(HealthCheck.Protocol.COMMAND,
                        null, null, null, new HealthCheck.Command("true"), 300, 60, 20, 3, 15)));
    }

    private void node(String id) {
        nodes.put(id, false);
        heartbeat(id, false);
    }

    private void statefulNode(String id) {
        nodes.put(id, true);
        heartbeat(id, true);
    }

    private void heartbeat(String id, boolean stateful) {
        List<String> running = core.tasks().stream().filter(t -> id.equals(t.nodeId()) && !t.state().isTerminal()
                && t.awaitingVolumes().isEmpty()).map(TaskRecord::taskId).toList();
        act(core.onNodeReport(stateful
                ? new NodeHeartbeat("hb-" + UUID.randomUUID(), 1, now, null, id, id, "127.0.0.1",
                new NodeResources(16, 16384, 100000), new PortRange(31000, 31999), Map.of(), "cgroups-v2",
                "http://127.0.0.1:1", running, Map.of(), new NodeVolumes(List.of("local"), 3000))
                : new NodeHeartbeat("hb-" + UUID.randomUUID(), 1, now, null, id, id, "127.0.0.1",
                new NodeResources(16, 16384, 100000), new PortRange(31000, 31999), Map.of(), "best-effort",
                "http://127.0.0.1:1", running), now));
    }
}
