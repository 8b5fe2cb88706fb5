package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.scheduler.placement.NodeAvailability;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerCoreTest {
    private final Instant t0 = Instant.parse("2026-11-24T12:00:00Z");
    private final SchedulerCore core = new SchedulerCore(SchedulerSettings.defaults(),
            new PlacementEngine(PlacementStrategy.SPREAD));

    // ---- placement --------------------------------------------------------------------------------

    @Test
    void placesEveryInstanceOnANodeWithRoomAndSendsItsLaunch() {
        // Given two nodes with room for one 1-cpu instance each
        core.onNodeReport(node("node-1", 1.5), t0);
        core.onNodeReport(node("node-2", 1.5), t0);

        // When an app of two instances is created
        List<Action> actions = core.onAppCommand(CreateApp.of(app("/web", 2)), t0);

        // Then each node gets one launch, with a port from its range, and the tasks are STAGING
        List<LaunchTask> launches = commands(actions, LaunchTask.class);
        assertEquals(Set.of("node-1", "node-2"), Set.copyOf(launches.stream().map(LaunchTask::nodeId).toList()));
        assertEquals(31000, launches.get(0).spec().ports().get(0).port());
        assertTrue(core.tasksOf("/web").stream().allMatch(t -> t.state() == TaskState.STAGING));
        assertEquals(1, actions.stream().filter(a -> a instanceof Action.RecordApp).count());
    }

    @Test
    void explainsWhyAnInstanceCannotBePlacedOnTheQueue() {
        // Given one node too small for the app
        core.onNodeReport(node("node-1", 0.5), t0);

        // When the app is created
        List<Action> actions = core.onAppCommand(CreateApp.of(app("/big", 1)), t0);

        // Then nothing launches, and the queue says one instance waits and why
        assertTrue(commands(actions, LaunchTask.class).isEmpty());
        AppQueue entry = queued(actions, "/big");
        assertEquals(1, entry.waiting());
        assertEquals(Map.of("insufficient cpus", 1), entry.unplaced());
    }

    @Test
    void aWaitingInstanceIsPlacedWhenANodeArrivesAndLeavesTheQueue() {
        core.onAppCommand(CreateApp.of(app("/later", 1)), t0);
        assertEquals(Map.of("no nodes registered", 0), core.unplacedReasons("/later"));

        List<Action> actions = core.onNodeReport(node("node-9", 2), t0.plusSeconds(1));

        assertEquals(1, commands(actions, LaunchTask.class).size());
        assertTrue(actions.contains(new Action.RemoveQueue("/later")));
        assertTrue(core.queued("/later").isEmpty());
    }

    @Test
    void keepsTheConstraintThatBlocksAnInstanceAmongItsReasons() {
        // Given two nodes and an app of three instances that allows one per host
        core.onNodeReport(node("node-1", 8), t0);
        core.onNodeReport(node("node-2", 8), t0);
        AppDefinition unique = app("/uniq", 3).withPlacement(
                List.of(new Constraint("hostname", Constraint.Operator.UNIQUE, null)), List.of(), null);

        // When it is created
        List<Action> actions = core.onAppCommand(CreateApp.of(unique), t0);

        // Then two run and the third waits, blocked by the constraint on both nodes
        assertEquals(2, commands(actions, LaunchTask.class).size());
        assertEquals(1, queued(actions, "/uniq").waiting());
        assertEquals(Map.of("constraint hostname UNIQUE", 2), core.unplacedReasons("/uniq"));
    }

    @Test
    void placesUpToTheMaximumPerHostAndQueuesTheRest() {
        core.onNodeReport(node("node-1", 8), t0);
        core.onNodeReport(node("node-2", 8), t0);
        AppDefinition capped = withoutPorts(app("/capped", 100)).withPlacement(
                List.of(new Constraint("hostname", Constraint.Operator.MAX_PER, "40")), List.of(), null);

        List<Action> actions = core.onAppCommand(CreateApp.of(capped), t0);

        assertEquals(80, commands(actions, LaunchTask.class).size());
        assertEquals(20, queued(actions, "/capped").waiting());
        assertEquals(Map.of("constraint hostname MAX_PER 40", 2), queued(actions, "/capped").unplaced());
    }

    @Test
    void anInstanceWaitingForRoomIsPlacedOnceAnotherTaskFreesIt() {
        // Given a node filled by one app, and a second app that waits for room
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/first", 4)), t0);
        TaskRecord first = core.tasksOf("/first").get(0);
        core.onAppCommand(CreateApp.of(app("/second", 1)), t0);
        assertEquals(Map.of("insufficient cpus", 1), core.unplacedReasons("/second"));
        assertTrue(commands(heartbeatThenTick("node-1", t0.plusSeconds(1)), LaunchTask.class).isEmpty());

        // When the first app's task ends and is not wanted any more
        core.onAppCommand(DeleteApp.of("/first"), t0.plusSeconds(2));
        core.onTaskStatus(status(first, TaskState.KILLED, t0.plusSeconds(2)), t0.plusSeconds(2));

        // Then the next tick places the waiting instance, and it leaves the queue
        List<Action> actions = heartbeatThenTick("node-1", t0.plusSeconds(3));
        assertEquals(1, commands(actions, LaunchTask.class).size());
        assertTrue(core.queued("/second").isEmpty());
    }

    @Test
    void aRedeliveredCreateChangesNothing() {
        core.onNodeReport(node("node-1", 4), t0);
        CreateApp create = CreateApp.of(app("/once", 1));
        core.onAppCommand(create, t0);

        List<Action> again = core.onAppCommand(create, t0);

        // Only its answer again: accepted, at the version it made.
        assertEquals(1, again.size());
        assertTrue(again.get(0) instanceof Action.Reply reply && reply.reply().accepted()
                && reply.reply().appVersion() == 1);
        assertEquals(1, core.tasksOf("/once").size());
    }

    // ---- users and root file systems (issue 13) ---------------------------------------------------

    @Test
    void anAppWaitsForANodeThatAllowsItsUserAndIsPlacedWhenOneRegisters() {
        // Given a node that lets tasks run only as nobody
        core.onNodeReport(confined("node-1", "nobody"), t0);

        // When an app that runs as postgres is created
        List<Action> created = core.onAppCommand(CreateApp.of(app("/db", 1, "\"user\": \"postgres\"")), t0);

        // Then nothing launches, and the queue says why
        assertTrue(commands(created, LaunchTask.class).isEmpty());
        assertEquals(Map.of("user postgres not allowed", 1), queued(created, "/db").unplaced());

        // When a node that allows postgres registers
        List<Action> actions = core.onNodeReport(confined("node-2", "nobody", "postgres"), t0.plusSeconds(1));

        // Then the instance is launched there, as postgres, and leaves the queue
        List<LaunchTask> launches = commands(actions, LaunchTask.class);
        assertEquals(List.of("node-2"), launches.stream().map(LaunchTask::nodeId).toList());
        assertEquals("postgres", launches.get(0).spec().user());
        assertTrue(actions.contains(new Action.RemoveQueue("/db")));
    }

    @Test
    void aWaitingAppIsPlacedOnceItsNodeStartsAllowingItsUser() {
        // Given an app that waits because its only node allows nobody but nobody
        core.onNodeReport(confined("node-1", "nobody"), t0);
        core.onAppCommand(CreateApp.of(app("/db", 1, "\"user\": \"postgres\"")), t0);
        assertEquals(Map.of("user postgres not allowed", 1), core.unplacedReasons("/db"));

        // When the node's agent comes back allowing postgres, and time passes
        core.onNodeReport(confined("node-1", "nobody", "postgres"), t0.plusSeconds(1));
        List<Action> actions = core.onTick(t0.plusSeconds(1));

        // Then the instance is launched there
        assertEquals(List.of("node-1"), commands(actions, LaunchTask.class).stream().map(LaunchTask::nodeId).toList());
        assertTrue(core.queued("/db").isEmpty());
    }

    @Test
    void anAppWithoutAUserIsLaunchedAsTheNodesDefaultUserWhateverTheNodeReports() {
        core.onNodeReport(node("node-1", 2), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(app("/web", 1)), t0);

        // The spec names no user: the agent runs it as its node's default user
        assertNull(commands(actions, LaunchTask.class).get(0).spec().user());
    }

    @Test
    void anAppRequiringItsOwnRootFileSystemWaitsWhileNoNodeGivesOne() {
        // Given a node whose tasks see the host's files
        core.onNodeReport(node("node-1", 2), t0);

        // When an app that requires a root of its own is created
        List<Action> actions = core.onAppCommand(CreateApp.of(app("/sealed", 1,
                "\"isolation\": {\"filesystem\": \"required\"}")), t0);

        // Then it waits, saying why
        assertTrue(commands(actions, LaunchTask.class).isEmpty());
        assertEquals(Map.of("no own root file system for tasks", 1), core.unplacedReasons("/sealed"));
    }

    // ---- scale and delete -------------------------------------------------------------------------

    @Test
    void scalingUpPlacesTheNewInstancesWithTheNextInstanceNumbers() {
        core.onNodeReport(node("node-1", 8), t0);
        core.onAppCommand(CreateApp.of(app("/grow", 2)), t0);

        List<Action> actions = core.onAppCommand(ScaleApp.of("/grow", 4), t0.plusSeconds(1));

        assertEquals(2, commands(actions, LaunchTask.class).size());
        assertEquals(List.of(0, 1, 2, 3), core.tasksOf("/grow").stream().map(TaskRecord::instance).toList());
        assertEquals(4, core.app("/grow").orElseThrow().definition().instances());
        assertEquals(2, core.app("/grow").orElseThrow().version());
    }

    @Test
    void scalingDownStopsTheYoungestInstancesFirst() {
        core.onNodeReport(node("node-1", 8), t0);
        core.onAppCommand(CreateApp.of(app("/shrink", 2)), t0);
        core.onAppCommand(ScaleApp.of("/shrink", 3), t0.plusSeconds(5));
        String youngest = core.tasksOf("/shrink").stream().filter(t -> t.instance() == 2).findFirst().orElseThrow()
                .taskId();

        List<Action> actions = core.onAppCommand(ScaleApp.of("/shrink", 2), t0.plusSeconds(6));

        List<KillTask> kills = commands(actions, KillTask.class);
        assertEquals(List.of(youngest), kills.stream().map(KillTask::taskId).toList());
    }

    @Test
    void scalingDownWithOldestFirstStopsTheFirstLaunched() {
        core.onNodeReport(node("node-1", 8), t0);
        AppDefinition oldestFirst = app("/old", 1, "\"killSelection\": \"OLDEST_FIRST\"");
        core.onAppCommand(CreateApp.of(oldestFirst), t0);
        String oldest = core.tasksOf("/old").get(0).taskId();
        core.onAppCommand(ScaleApp.of("/old", 2), t0.plusSeconds(5));

        List<Action> actions = core.onAppCommand(ScaleApp.of("/old", 1), t0.plusSeconds(6));

        assertEquals(List.of(oldest), commands(actions, KillTask.class).stream().map(KillTask::taskId).toList());
    }

    @Test
    void scalingDownStopsInstancesOnADrainingNodeFirst() {
        core.onNodeReport(node("node-1", 8), t0);
        core.onNodeReport(node("node-2", 8), t0);
        core.onAppCommand(CreateApp.of(app("/pair", 2)), t0);
        TaskRecord onNode1 = core.tasksOf("/pair").stream().filter(t -> t.nodeId().equals("node-1")).findFirst()
                .orElseThrow();
        core.restore().nodeAdmin(DrainNode.of("node-1"));

        List<Action> actions = core.onAppCommand(ScaleApp.of("/pair", 1), t0.plusSeconds(1));

        assertEquals(List.of(onNode1.taskId()), commands(actions, KillTask.class).stream().map(KillTask::taskId)
                .toList());
    }

    @Test
    void deleteStopsEveryTaskWithTheAppsGracePeriodAndRemovesTheAppOnceTheyAreGone() {
        // Given a running app of two instances with a 7 s kill grace period
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/gone", 2, "\"taskKillGracePeriodSeconds\": 7")), t0);
        core.tasksOf("/gone").forEach(t -> core.onTaskStatus(status(t, TaskState.RUNNING), t0));

        // When it is deleted
        List<Action> actions = core.onAppCommand(DeleteApp.of("/gone"), t0);

        // Then both tasks are killed with SIGTERM, SIGKILL after 7 s, and the app waits for them
        List<KillTask> kills = commands(actions, KillTask.class);
        assertEquals(2, kills.size());
        assertTrue(kills.stream().allMatch(k -> k.gracePeriodSeconds() == 7));
        assertTrue(core.app("/gone").orElseThrow().deleting());
        assertTrue(core.tasksOf("/gone").stream().allMatch(t -> t.desired() == DesiredState.STOP));

        // And when both report KILLED the app is removed
        List<Action> last = List.of();
        for (TaskRecord t : core.tasksOf("/gone")) {
            last = core.onTaskStatus(status(t, TaskState.KILLED), t0);
        }
        assertTrue(core.app("/gone").isEmpty());
        assertTrue(last.stream().anyMatch(a -> a instanceof Action.RemoveApp));
    }

    // ---- restart policy ---------------------------------------------------------------------------

    @Test
    void aFailedTaskIsReplacedAfterItsBackoffAndTheQueueSaysUntilWhen() {
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/crashy", 1)), t0);
        TaskRecord first = core.tasksOf("/crashy").get(0);

        List<Action> onFailure = core.onTaskStatus(status(first, TaskState.FAILED), t0);
        assertTrue(commands(onFailure, LaunchTask.class).isEmpty(), "no relaunch before the backoff");
        assertEquals(t0.plusSeconds(1), queued(onFailure, "/crashy").delayedUntil());

        List<Action> later = core.onTick(t0.plusSeconds(1));
        List<LaunchTask> relaunch = commands(later, LaunchTask.class);
        assertEquals(1, relaunch.size());
        assertNotEquals(first.taskId(), relaunch.get(0).taskId());
        assertEquals(0, core.tasksOf("/crashy").get(0).instance());
    }

    @Test
    void eachFailureInARowMultipliesTheDelayUpToTheMaximum() {
        // Given an app backing off 1 s, ×2 per failure, at most 5 s
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/flaky", 1, "\"backoffSeconds\": 1, \"backoffFactor\": 2, \"maxLaunchDelaySeconds\": 5")), t0);

        // When it fails again and again, each time as soon as it is relaunched
        List<Duration> delays = new java.util.ArrayList<>();
        Instant now = t0;
        for (int i = 0; i < 5; i++) {
            TaskRecord task = core.tasksOf("/flaky").get(0);
            core.onTaskStatus(status(task, TaskState.FAILED), now);
            Instant until = core.queued("/flaky").orElseThrow().delayedUntil();
            delays.add(Duration.between(now, until));
            now = until;
            assertEquals(1, commands(heartbeatThenTick("node-1", now), LaunchTask.class).size());
        }

        // Then the delays grow 1, 2, 4 and stop at 5
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(5), Duration.ofSeconds(5)), delays);
    }

    @Test
    void anAppThatStayedUpStartsItsBackoffAfresh() {
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/healed", 1, "\"backoffSeconds\": 1, \"backoffFactor\": 2, \"maxLaunchDelaySeconds\": 60")), t0);
        core.onTaskStatus(status(core.tasksOf("/healed").get(0), TaskState.FAILED), t0);
        heartbeatThenTick("node-1", t0.plusSeconds(1));
        core.onTaskStatus(status(core.tasksOf("/healed").get(0), TaskState.FAILED), t0.plusSeconds(1));
        heartbeatThenTick("node-1", t0.plusSeconds(3));

        // When the relaunched task runs for longer than the reset period, then fails
        TaskRecord stable = core.tasksOf("/healed").get(0);
        core.onTaskStatus(status(stable, TaskState.RUNNING, t0.plusSeconds(3)), t0.plusSeconds(3));
        heartbeatThenTick("node-1", t0.plusSeconds(14), stable.taskId());
        core.onTaskStatus(status(core.tasksOf("/healed").get(0), TaskState.FAILED), t0.plusSeconds(15));

        // Then the next delay is the first one again, not 4 s
        assertEquals(t0.plusSeconds(16), core.queued("/healed").orElseThrow().delayedUntil());
    }

    @Test
    void restartStartsEachNewTaskBeforeStoppingItsOldOne() {
        // Given a running app of two instances on a node with room for more
        core.onNodeReport(node("node-1", 8), t0);
        core.onAppCommand(CreateApp.of(app("/again", 2)), t0);
        List<TaskRecord> old = core.tasksOf("/again");
        old.forEach(t -> core.onTaskStatus(status(t, TaskState.RUNNING), t0));

        // When it is restarted
        List<Action> actions = core.onAppCommand(RestartApp.of("/again"), t0.plusSeconds(1));

        // Then two new tasks launch and no old one is stopped yet
        List<LaunchTask> launches = commands(actions, LaunchTask.class);
        assertEquals(2, launches.size());
        assertTrue(commands(actions, KillTask.class).isEmpty());

        // And once a new task runs, exactly its predecessor (same instance) is stopped
        TaskRecord fresh = core.tasksOf("/again").stream().filter(t -> t.taskId().equals(launches.get(0).taskId()))
                .findFirst().orElseThrow();
        List<Action> running = core.onTaskStatus(status(fresh, TaskState.RUNNING), t0.plusSeconds(2));
        List<KillTask> kills = commands(running, KillTask.class);
        assertEquals(1, kills.size());
        TaskRecord predecessor = old.stream().filter(t -> t.taskId().equals(kills.get(0).taskId())).findFirst()
                .orElseThrow();
        assertEquals(fresh.instance(), predecessor.instance());
        assertNull(core.tasksOf("/again").stream().filter(t -> t.taskId().equals(fresh.taskId())).findFirst()
                .orElseThrow().replaces(), "the new task now is the instance");
    }

    @Test
    void restartWithoutRoomForASecondCopyStopsTheOldTaskFirst() {
        core.onNodeReport(node("node-1", 1), t0);
        core.onAppCommand(CreateApp.of(app("/tight", 1)), t0);
        TaskRecord old = core.tasksOf("/tight").get(0);
        core.onTaskStatus(status(old, TaskState.RUNNING), t0);

        List<Action> actions = core.onAppCommand(RestartApp.of("/tight"), t0.plusSeconds(1));

        assertEquals(List.of(old.taskId()), commands(actions, KillTask.class).stream().map(KillTask::taskId).toList());
        List<Action> afterKill = core.onTaskStatus(status(old, TaskState.KILLED), t0.plusSeconds(2));
        assertEquals(1, commands(afterKill, LaunchTask.class).size());
    }

    // ---- health checks ------------------------------------------------------------------------------

    @Test
    void aTaskWhoseHealthCheckFailedTooOftenIsKilledAndReplacedOnceItIsKilled() {
        // Given a running, healthy instance whose app allows 3 failures and kills with a 7 s grace period
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/sick", 1, "\"taskKillGracePeriodSeconds\": 7")), t0);
        TaskRecord sick = core.tasksOf("/sick").get(0);
        core.onTaskStatus(status(sick, TaskState.RUNNING), t0);
        core.onTaskStatus(health(sick, TaskState.HEALTHY, null, new HealthReport(0, 0, 3, "HTTP 200")), t0);
        core.onTaskStatus(health(sick, TaskState.UNHEALTHY, "HTTP 500", new HealthReport(0, 1, 3, "HTTP 500")),
                t0.plusSeconds(10));

        // When its third failure in a row is reported
        List<Action> actions = core.onTaskStatus(health(sick, TaskState.UNHEALTHY, "HEALTH_CHECK_FAILED: HTTP 500",
                new HealthReport(0, 3, 3, "HTTP 500")), t0.plusSeconds(30));

        // Then it is killed with the app's grace period and the reason, stops counting as an instance,
        // and its replacement waits out the app's backoff
        List<KillTask> kills = commands(actions, KillTask.class);
        assertEquals(List.of(sick.taskId()), kills.stream().map(KillTask::taskId).toList());
        assertEquals(7, kills.get(0).gracePeriodSeconds());
        assertEquals("HEALTH_CHECK_FAILED: HTTP 500", kills.get(0).reason());
        assertEquals(DesiredState.STOP, task(sick.taskId()).desired());
        assertTrue(commands(actions, LaunchTask.class).isEmpty(), "no relaunch before the backoff");
        assertEquals(t0.plusSeconds(31), queued(actions, "/sick").delayedUntil());

        // When the agent reports it KILLED after the backoff
        Instant killed = t0.plusSeconds(37);
        List<Action> afterKill = core.onTaskStatus(status(sick, TaskState.KILLED, killed), killed);

        // Then exactly one replacement launches, for the same instance, and nothing more follows
        List<LaunchTask> launches = commands(afterKill, LaunchTask.class);
        assertEquals(1, launches.size());
        assertNotEquals(sick.taskId(), launches.get(0).taskId());
        assertEquals(List.of(0), core.tasksOf("/sick").stream().map(TaskRecord::instance).toList());
        assertEquals(DesiredState.RUN, core.tasksOf("/sick").get(0).desired());
        assertTrue(commands(heartbeatThenTick("node-1", t0.plusSeconds(40)), LaunchTask.class).isEmpty());
    }

    @Test
    void theReplacementOfAnUnhealthyTaskStartsWhenTheBackoffEndsEvenBeforeTheKillCompletes() {
        // Given an instance killed for failing its health check
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/slowkill", 1)), t0);
        TaskRecord sick = core.tasksOf("/slowkill").get(0);
        core.onTaskStatus(status(sick, TaskState.RUNNING), t0);
        core.onTaskStatus(health(sick, TaskState.UNHEALTHY, null, new HealthReport(0, 3, 3, "timed out")), t0);

        // When the backoff has passed, the old task still being killed
        List<Action> actions = heartbeatThenTick("node-1", t0.plusSeconds(1), sick.taskId());

        // Then its instance is placed again beside it, and the heartbeat listing the old task kills nothing more
        assertEquals(1, commands(actions, LaunchTask.class).size());
        assertTrue(commands(actions, KillTask.class).isEmpty());
        assertEquals(1, core.tasksOf("/slowkill").stream().filter(t -> t.desired() == DesiredState.RUN).count());
    }

    @Test
    void aFirstHealthCheckFailureIsRecordedButKillsNothing() {
        // Given a running instance
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/wobbly", 1)), t0);
        TaskRecord task = core.tasksOf("/wobbly").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);

        // When its check fails for the first of 3 allowed times
        List<Action> actions = core.onTaskStatus(health(task, TaskState.UNHEALTHY, "HTTP 503",
                new HealthReport(0, 1, 3, "HTTP 503")), t0.plusSeconds(1));

        // Then it is recorded UNHEALTHY with the detail, still wanted, and neither killed nor replaced
        assertTrue(commands(actions, KillTask.class).isEmpty());
        assertTrue(commands(actions, LaunchTask.class).isEmpty());
        TaskRecord recorded = task(task.taskId());
        assertEquals(TaskState.UNHEALTHY, recorded.state());
        assertEquals(DesiredState.RUN, recorded.desired());
        assertEquals(new HealthReport(0, 1, 3, "HTTP 503"), recorded.health());
    }

    @Test
    void aCheckWithoutAFailureLimitNeverKillsItsTask() {
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/tolerated", 1)), t0);
        TaskRecord task = core.tasksOf("/tolerated").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);

        List<Action> actions = core.onTaskStatus(health(task, TaskState.UNHEALTHY, null,
                new HealthReport(0, 50, 0, "HTTP 500")), t0.plusSeconds(1));

        assertTrue(commands(actions, KillTask.class).isEmpty());
        assertEquals(50, task(task.taskId()).health().consecutiveFailures());
    }

    @Test
    void aHealthyStatusIsRecordedWithItsHealthWhichLaterStatusesKeep() {
        // Given a running instance
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/fine", 1)), t0);
        TaskRecord task = core.tasksOf("/fine").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);

        // When its check passes
        List<Action> actions = core.onTaskStatus(health(task, TaskState.HEALTHY, null,
                new HealthReport(0, 0, 3, "HTTP 200")), t0.plusSeconds(1));

        // Then the record written says HEALTHY with the detail
        TaskRecord written = actions.stream().filter(a -> a instanceof Action.RecordTask)
                .map(a -> ((Action.RecordTask) a).task()).reduce((first, second) -> second).orElseThrow();
        assertEquals(TaskState.HEALTHY, written.state());
        assertEquals(new HealthReport(0, 0, 3, "HTTP 200"), written.health());

        // And a status without health detail keeps the last one
        core.onTaskStatus(status(task, TaskState.KILLING), t0.plusSeconds(2));
        assertEquals(new HealthReport(0, 0, 3, "HTTP 200"), task(task.taskId()).health());
    }

    @Test
    void aRedeliveredExhaustedUnhealthyStatusKillsOnlyOnce() {
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/once-sick", 1)), t0);
        TaskRecord task = core.tasksOf("/once-sick").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);
        TaskStatus exhausted = health(task, TaskState.UNHEALTHY, null, new HealthReport(0, 3, 3, "HTTP 500"));
        assertEquals(1, commands(core.onTaskStatus(exhausted, t0.plusSeconds(1)), KillTask.class).size());

        List<Action> again = core.onTaskStatus(exhausted, t0.plusSeconds(1));

        assertTrue(again.isEmpty());
    }

    @Test
    void anUnhealthyTaskWhoseRestartReplacementIsStartingHandsItsInstanceToIt() {
        // Given a restart whose new task is still starting beside the old one
        core.onNodeReport(node("node-1", 8), t0);
        core.onAppCommand(CreateApp.of(app("/mid-restart", 1)), t0);
        TaskRecord old = core.tasksOf("/mid-restart").get(0);
        core.onTaskStatus(status(old, TaskState.RUNNING), t0);
        String fresh = commands(core.onAppCommand(RestartApp.of("/mid-restart"), t0.plusSeconds(1)), LaunchTask.class)
                .get(0).taskId();

        // When the old task fails its health check for good
        List<Action> actions = core.onTaskStatus(health(old, TaskState.UNHEALTHY, null,
                new HealthReport(0, 3, 3, "HTTP 500")), t0.plusSeconds(2));

        // Then it is killed, and the starting task is the instance: nothing else is placed, then or later
        assertEquals(List.of(old.taskId()),
                commands(actions, KillTask.class).stream().map(KillTask::taskId).toList());
        assertNull(task(fresh).replaces());
        core.onTaskStatus(status(old, TaskState.KILLED), t0.plusSeconds(3));
        assertTrue(commands(heartbeatThenTick("node-1", t0.plusSeconds(10)), LaunchTask.class).isEmpty());
        assertEquals(List.of(fresh), core.tasksOf("/mid-restart").stream().map(TaskRecord::taskId).toList());
    }

    // ---- drain --------------------------------------------------------------------------------------

    @Test
    void drainMovesTasksOneAtATimeStartingEachReplacementBeforeStoppingItsOriginal() {
        // Given two tasks on node-1 and an empty node-2
        core.onNodeReport(node("node-1", 8), t0);
        core.onAppCommand(CreateApp.of(app("/moving", 2)), t0);
        core.tasksOf("/moving").forEach(t -> core.onTaskStatus(status(t, TaskState.RUNNING), t0));
        core.onNodeReport(node("node-2", 8), t0);

        // When node-1 is drained
        List<Action> first = core.onNodeAdmin(DrainNode.of("node-1"), t0.plusSeconds(1));

        // Then one replacement starts on node-2 and nothing is stopped yet
        List<LaunchTask> launched = commands(first, LaunchTask.class);
        assertEquals(1, launched.size());
        assertEquals("node-2", launched.get(0).nodeId());
        assertTrue(commands(first, KillTask.class).isEmpty());
        assertTrue(commands(core.onTick(t0.plusSeconds(2)), LaunchTask.class).isEmpty(), "one move at a time");
        assertEquals(NodeAvailability.DRAINING, core.nodeMode("node-1"));

        // When the replacement runs, its original is stopped and the next move starts
        TaskRecord replacement = task(launched.get(0).taskId());
        List<Action> second = core.onTaskStatus(status(replacement, TaskState.RUNNING), t0.plusSeconds(3));
        assertEquals(1, commands(second, KillTask.class).size());
        assertEquals("node-1", commands(second, KillTask.class).get(0).nodeId());
        assertEquals(1, commands(second, LaunchTask.class).size());
        assertEquals("node-2", commands(second, LaunchTask.class).get(0).nodeId());
    }

    @Test
    void anUndrainedNodeTakesNewTasksAgain() {
        core.onNodeReport(node("node-1", 8), t0);
        core.onNodeAdmin(DrainNode.of("node-1"), t0);
        core.onAppCommand(CreateApp.of(app("/blocked", 1)), t0);
        assertEquals(Map.of("node draining", 1), core.unplacedReasons("/blocked"));

        List<Action> actions = core.onNodeAdmin(UndrainNode.of("node-1"), t0.plusSeconds(1));

        assertEquals(1, commands(actions, LaunchTask.class).size());
        assertEquals(NodeAvailability.READY, core.nodeMode("node-1"));
    }

    // ---- node failure and reconciliation ----------------------------------------------------------

    @Test
    void aNodeSilentPastTheTimeoutLosesItsTasksWhichAreReplacedElsewhereAtOnce() {
        // Given a task running on node-1 and a healthy node-2
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/survivor", 1)), t0);
        TaskRecord onNode1 = core.tasksOf("/survivor").get(0);
        core.onTaskStatus(status(onNode1, TaskState.RUNNING), t0);
        core.onNodeReport(node("node-2", 4), t0.plusSeconds(5));

        // When node-1 has not been heard of for longer than the timeout
        List<Action> actions = core.onTick(t0.plusSeconds(6));

        // Then it is unreachable, its task is recorded LOST and removed, and a replacement runs on node-2
        assertEquals(NodeAvailability.UNREACHABLE, core.nodeMode("node-1"));
        assertTrue(actions.stream().anyMatch(a -> a instanceof Action.RecordTask r
                && r.task().taskId().equals(onNode1.taskId()) && r.task().state() == TaskState.LOST));
        assertTrue(actions.contains(new Action.RemoveTask(onNode1.taskId())));
        List<LaunchTask> launches = commands(actions, LaunchTask.class);
        assertEquals(1, launches.size());
        assertEquals("node-2", launches.get(0).nodeId());
    }

    @Test
    void aReturningNodeHasItsReplacedTasksKilled() {
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/back", 1)), t0);
        TaskRecord lost = core.tasksOf("/back").get(0);
        core.onNodeReport(node("node-2", 4), t0.plusSeconds(5));
        core.onTick(t0.plusSeconds(6));

        // When node-1 heartbeats again, still running the lost task
        List<Action> actions = core.onNodeReport(node("node-1", 4, lost.taskId()), t0.plusSeconds(7));

        // Then that task is killed there, and the app keeps its single instance
        assertEquals(List.of(lost.taskId()), commands(actions, KillTask.class).stream().map(KillTask::taskId).toList());
        assertEquals(1, core.tasksOf("/back").size());
        assertEquals(NodeAvailability.READY, core.nodeMode("node-1"));
    }

    @Test
    void aTaskItsNodeNoLongerReportsIsLostAndReplaced() {
        core.onNodeReport(node("node-1", 4), t0);
        core.onAppCommand(CreateApp.of(app("/vanished", 1)), t0);
        TaskRecord task = core.tasksOf("/vanished").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);

        // A heartbeat soon after the start may not list it yet: nothing happens, even when it
        // reaches a busy scheduler much later
        assertTrue(core.onNodeReport(nodeAt("node-1", 4, t0.plusSeconds(1)), t0.plusSeconds(30)).isEmpty());

        // A heartbeat taken well after it was seen running does not list it: lost and replaced
        List<Action> actions = core.onNodeReport(nodeAt("node-1", 4, t0.plusSeconds(10)), t0.plusSeconds(31));
        assertTrue(actions.contains(new Action.RemoveTask(task.taskId())));
        assertEquals(1, commands(actions, LaunchTask.class).size());
    }

    @Test
    void aTaskRunningThatNoAppWantsIsKilled() {
        List<Action> actions = core.onNodeReport(node("node-1", 4, "stray.1"), t0);

        List<KillTask> kills = commands(actions, KillTask.class);
        assertEquals(1, kills.size());
        assertEquals("stray.1", kills.get(0).taskId());
    }

    @Test
    void aNodeThatStoppedHeartbeatingGetsNoNewTasks() {
        core.onNodeReport(node("node-1", 4), t0);
        core.onTick(t0.plusSeconds(6));

        core.onAppCommand(CreateApp.of(app("/late", 1)), t0.plusSeconds(6));

        assertEquals(Map.of("node unreachable", 1), core.unplacedReasons("/late"));
    }

    @Test
    void aNewSchedulerGivesEveryNodeAFullTimeoutToBeHeardButPlacesNothingOnOneLongSilent() {
        // Given a scheduler rebuilt from a node report written long ago, with a task on that node
        SchedulerCore rebuilt = new SchedulerCore(SchedulerSettings.defaults(),
                new PlacementEngine(PlacementStrategy.SPREAD));
        rebuilt.restore().node(node("node-1", 4));
        rebuilt.restore().task(TaskRecord.launched("c", "old.1", "/old", 1, 0, "node-1", "h", List.of(), t0, null)
                .observed(TaskState.RUNNING, null, null, "s", t0));

        // When it starts acting a minute later, the task there is not yet declared lost
        List<Action> first = rebuilt.onTick(t0.plusSeconds(60));
        assertTrue(commands(first, KillTask.class).isEmpty(), "nothing lost yet: " + first);
        // but nothing new goes to the node, which may well be gone for good
        rebuilt.onAppCommand(CreateApp.of(app("/new", 1)), t0.plusSeconds(60));
        assertEquals(Map.of("node unreachable", 1), rebuilt.unplacedReasons("/new"));

        // And once a full timeout has passed without a word from it, its task is lost
        List<Action> later = rebuilt.onTick(t0.plusSeconds(66));
        assertEquals(List.of("old.1"), commands(later, KillTask.class).stream().map(KillTask::taskId).toList());
        assertEquals(NodeAvailability.UNREACHABLE, rebuilt.nodeMode("node-1"));
    }

    @Test
    void aNodeLongSilentAtTheStartIsUsedAgainOnceHeard() {
        SchedulerCore rebuilt = new SchedulerCore(SchedulerSettings.defaults(),
                new PlacementEngine(PlacementStrategy.SPREAD));
        rebuilt.restore().node(node("node-1", 4));
        rebuilt.onTick(t0.plusSeconds(60));

        rebuilt.onNodeReport(nodeAt("node-1", 4, t0.plusSeconds(61)), t0.plusSeconds(61));
        rebuilt.onAppCommand(CreateApp.of(app("/new", 1)), t0.plusSeconds(61));

        assertEquals(NodeAvailability.READY, rebuilt.nodeMode("node-1"));
        assertEquals(1, rebuilt.tasksOf("/new").size());
    }

    @Test
    void placesAHundredInstancesWithDistinctIdsAndInstanceNumbers() {
        for (int i = 0; i < 10; i++) {
            core.onNodeReport(node("node-" + i, 64), t0);
        }
        core.onAppCommand(CreateApp.of(withoutPorts(app("/many", 100))), t0);

        List<TaskRecord> tasks = core.tasksOf("/many");
        assertEquals(100, tasks.size());
        assertEquals(100, new HashSet<>(tasks.stream().map(TaskRecord::taskId).toList()).size());
        assertEquals(100, new HashSet<>(tasks.stream().map(TaskRecord::instance).toList()).size());
        assertFalse(core.queued("/many").isPresent());
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** The node is heard from (still running the given tasks), then time passes. */
    private List<Action> heartbeatThenTick(String nodeId, Instant now, String... running) {
        core.onNodeReport(nodeAt(nodeId, 4, now, running), now);
        return core.onTick(now);
    }

    private TaskRecord task(String taskId) {
        return core.tasks().stream().filter(t -> t.taskId().equals(taskId)).findFirst().orElseThrow();
    }

    private NodeHeartbeat node(String id, double cpus, String... running) {
        return nodeAt(id, cpus, t0, running);
    }

    /** A heartbeat the agent took at {@code at} (its clock). */
    private static NodeHeartbeat nodeAt(String id, double cpus, Instant at, String... running) {
        return new NodeHeartbeat("hb-" + id, 1, at, null, id, id, "127.0.0.1", new NodeResources(cpus, 4096, 10000),
                new PortRange(31000, 31999), Map.of(), "best-effort", "http://127.0.0.1:1", List.of(running));
    }

    /** A node that gives tasks their own root and lets them run as {@code allowed} (the first: its default). */
    private NodeHeartbeat confined(String id, String... allowed) {
        NodeHeartbeat plain = node(id, 2);
        return new NodeHeartbeat(plain.id(), 1, t0, null, id, id, plain.host(), plain.capacity(), plain.ports(),
                Map.of(), "cgroups-v2", plain.agentUrl(), List.of(), Map.of(), NodeVolumes.NONE,
                new NodeConfinement(NodeConfinement.OWN_ROOT, allowed[0], List.of(allowed)));
    }

    private static AppDefinition app(String id, int instances) {
        return AppDefinition.basic(id, "sleep 100", null, instances, 1, 64, 0, Map.of(), Map.of(),
                List.of(new PortDefinition(0, "http", "tcp", Map.of())));
    }

    private static AppDefinition withoutPorts(AppDefinition d) {
        return AppDefinition.basic(d.id(), d.cmd(), d.args(), d.instances(), 0.1, 16, 0, Map.of(), Map.of(),
                List.of());
    }

    /** An app as a user would write it, with extra fields of Marathon's format. */
    private static AppDefinition app(String id, int instances, String extraFields) {
        ParsedApp parsed = AppDefinitionParser.parse("""
                {"id": "%s", "cmd": "sleep 100", "instances": %d, "cpus": 1, "mem": 64,
                 "portDefinitions": [{"port": 0, "name": "http"}], %s}""".formatted(id, instances, extraFields));
        return ((ParsedApp.Valid) parsed).app();
    }

    private TaskStatus status(TaskRecord task, TaskState state) {
        return status(task, state, t0);
    }

    /** What the agent saw, and when (its clock). */
    private static TaskStatus status(TaskRecord task, TaskState state, Instant at) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, at, null, task.taskId(), task.appId(), task.nodeId(), state,
                null, null);
    }

    /** A health transition, as the agent reports it. */
    private TaskStatus health(TaskRecord task, TaskState state, String reason, HealthReport health) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, t0, null, task.taskId(), task.appId(), task.nodeId(),
                state, reason, null, health);
    }

    private static AppQueue queued(List<Action> actions, String appId) {
        return actions.stream().filter(a -> a instanceof Action.RecordQueue q && q.queue().appId().equals(appId))
                .map(a -> ((Action.RecordQueue) a).queue()).reduce((first, second) -> second).orElseThrow();
    }

    private static <T> List<T> commands(List<Action> actions, Class<T> type) {
        return actions.stream()
                .filter(a -> a instanceof Action.SendToNode)
                .map(a -> ((Action.SendToNode) a).command())
                .filter(type::isInstance).map(type::cast).toList();
    }
}
