package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the scheduler keeps of ended tasks: the app's last failure, failures in a row, restarts, the last ends. */
class TaskHistoryTest {
    private static final String OOM = "OOM_KILLED: the kernel killed it for using more than its 64 MiB of memory";
    private final Instant t0 = Instant.parse("2026-12-07T12:00:00Z");
    private final SchedulerCore core = new SchedulerCore(new SchedulerSettings(Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(5), 3, Duration.ofSeconds(1), 3),
            new PlacementEngine(PlacementStrategy.SPREAD));

    @Test
    void anOomLoopingAppSaysWhyOnItsHistoryAndItsQueueEntry() {
        core.onNodeReport(node(t0), t0);
        core.onAppCommand(CreateApp.of(app("/hungry", 1)), t0);

        // When its task is OOM-killed three times, each time once it is relaunched
        Instant now = t0;
        List<Action> last = List.of();
        for (int i = 0; i < 3; i++) {
            TaskRecord task = core.tasksOf("/hungry").get(0);
            core.onTaskStatus(status(task, TaskState.RUNNING, null, null, now), now);
            last = core.onTaskStatus(status(task, TaskState.FAILED, OOM, 137, now.plusMillis(100)), now.plusMillis(100));
            now = core.queued("/hungry").orElseThrow().delayedUntil();
            core.onNodeReport(node(now), now);
            if (i < 2) {
                core.onTick(now);
            }
        }

        // Then its history has the last failure in Marathon's shape, with exit code and node, and the count
        AppTaskHistory history = core.history("/hungry").orElseThrow();
        assertEquals(TaskState.FAILED, history.lastTaskFailure().state());
        assertEquals(OOM, history.lastTaskFailure().message());
        assertEquals(137, history.lastTaskFailure().exitCode());
        assertEquals("node-1", history.lastTaskFailure().nodeId());
        assertEquals(1, history.lastTaskFailure().version());
        assertEquals(3, history.failuresInARow());
        assertEquals(3, history.instance(0).restarts());
        // And the three ended tasks, newest first
        assertEquals(3, history.ended().size());
        assertEquals(history.lastTaskFailure().taskId(), history.ended().get(0).taskId());
        assertTrue(history.ended().stream().allMatch(t -> t.state() == TaskState.FAILED && t.exitCode() == 137));
        // And the queue entry says why it is delayed, with the numbers
        AppQueue queued = queuedIn(last);
        assertEquals(OOM, queued.delay().lastFailure().message());
        assertEquals(3, queued.delay().failuresInARow());
        assertEquals(4.0, queued.delay().backoffSeconds(), 0.001);
        // And the history is written with each end, in the same batch
        assertTrue(last.stream().anyMatch(a -> a instanceof Action.RecordHistory h
                && h.history().failuresInARow() == 3));
    }

    @Test
    void keepsOnlyTheConfiguredNumberOfEndedTasks() {
        core.onNodeReport(node(t0), t0);
        core.onAppCommand(CreateApp.of(app("/many", 1)), t0);
        Instant now = t0;
        for (int i = 0; i < 5; i++) {
            TaskRecord task = core.tasksOf("/many").get(0);
            core.onTaskStatus(status(task, TaskState.FAILED, null, 1, now), now);
            now = core.queued("/many").orElseThrow().delayedUntil();
            core.onNodeReport(node(now), now);
            core.onTick(now);
        }
        AppTaskHistory history = core.history("/many").orElseThrow();
        assertEquals(3, history.ended().size(), "the settings keep 3");
        assertEquals(5, history.instance(0).restarts());
        assertEquals("exited with code 1", history.lastTaskFailure().message());
    }

    @Test
    void endsThatWereAskedForAreKeptButAreNoFailures() {
        core.onNodeReport(node(t0), t0);
        core.onAppCommand(CreateApp.of(app("/shrinks", 2)), t0);
        core.tasksOf("/shrinks").forEach(t -> core.onTaskStatus(status(t, TaskState.RUNNING, null, null, t0), t0));

        // When it is scaled down and the agent reports the surplus killed
        core.onAppCommand(ScaleApp.of("/shrinks", 1), t0.plusSeconds(1));
        TaskRecord stopping = core.tasksOf("/shrinks").stream()
                .filter(t -> t.desired() == dev.berth.contracts.messages.DesiredState.STOP).findFirst().orElseThrow();
        core.onTaskStatus(status(stopping, TaskState.KILLED, "killed on request", null, t0.plusSeconds(2)),
                t0.plusSeconds(2));

        // Then the kill is among the ended tasks, but the app has no failure
        AppTaskHistory history = core.history("/shrinks").orElseThrow();
        assertEquals(List.of(stopping.taskId()), history.ended().stream().map(TaskRecord::taskId).toList());
        assertEquals(TaskState.KILLED, history.ended().get(0).state());
        assertNull(history.lastTaskFailure());
        assertEquals(0, history.failuresInARow());
    }

    @Test
    void aHealthKillIsAFailureWhenItIsDecidedAndItsEndIsKept() {
        core.onNodeReport(node(t0), t0);
        core.onAppCommand(CreateApp.of(app("/sick", 1)), t0);
        TaskRecord sick = core.tasksOf("/sick").get(0);
        core.onTaskStatus(status(sick, TaskState.RUNNING, null, null, t0), t0);

        core.onTaskStatus(health(sick, new HealthReport(0, 3, 3, "HTTP 500")), t0.plusSeconds(5));
        AppTaskHistory decided = core.history("/sick").orElseThrow();
        assertEquals(TaskState.UNHEALTHY, decided.lastTaskFailure().state());
        assertTrue(decided.lastTaskFailure().message().startsWith("HEALTH_CHECK_FAILED"));
        assertEquals(1, decided.failuresInARow());

        core.onTaskStatus(status(sick, TaskState.KILLED, "killed on request", null, t0.plusSeconds(6)), t0.plusSeconds(6));
        AppTaskHistory ended = core.history("/sick").orElseThrow();
        assertEquals(1, ended.failuresInARow(), "the kill that follows is not a second failure");
        assertEquals(sick.taskId(), ended.ended().get(0).taskId());
    }

    @Test
    void anAppThatStaysUpNoLongerFailsInARowButKeepsItsLastFailure() {
        core.onNodeReport(node(t0), t0);
        core.onAppCommand(CreateApp.of(app("/heals", 1)), t0);
        core.onTaskStatus(status(core.tasksOf("/heals").get(0), TaskState.FAILED, null, 2, t0), t0);
        Instant relaunch = t0.plusSeconds(1);
        core.onNodeReport(node(relaunch), relaunch);
        core.onTick(relaunch);
        TaskRecord fresh = core.tasksOf("/heals").get(0);
        core.onTaskStatus(status(fresh, TaskState.RUNNING, null, null, relaunch), relaunch);

        // When it stays up past the backoff reset
        Instant later = relaunch.plusSeconds(11);
        core.onNodeReport(node(later, fresh.taskId()), later);
        List<Action> tick = core.onTick(later);

        AppTaskHistory history = core.history("/heals").orElseThrow();
        assertEquals(0, history.failuresInARow());
        assertEquals("exited with code 2", history.lastTaskFailure().message());
        assertTrue(tick.stream().anyMatch(a -> a instanceof Action.RecordHistory));
    }

    @Test
    void aDeletedAppsHistoryIsTombstonedAndAFailoverCarriesItOn() {
        core.onNodeReport(node(t0), t0);
        core.onAppCommand(CreateApp.of(app("/brief", 1)), t0);
        List<Action> failed = core.onTaskStatus(status(core.tasksOf("/brief").get(0), TaskState.FAILED, null, 1, t0), t0);

        // A scheduler that takes over restores the history and counts on
        SchedulerCore next = new SchedulerCore(SchedulerSettings.defaults(), new PlacementEngine(PlacementStrategy.SPREAD));
        failed.stream().filter(a -> a instanceof Action.RecordHistory).map(a -> ((Action.RecordHistory) a).history())
                .forEach(next.restore()::history);
        assertEquals(1, next.history("/brief").orElseThrow().failuresInARow());

        List<Action> deleted = core.onAppCommand(DeleteApp.of("/brief"), t0.plusSeconds(1));
        assertTrue(deleted.contains(new Action.RemoveHistory("/brief")));
        assertTrue(core.history("/brief").isEmpty());
    }

    private static AppDefinition app(String id, int instances) {
        ParsedApp parsed = AppDefinitionParser.parse("""
                {"id": "%s", "cmd": "sleep 100", "instances": %d, "cpus": 0.1, "mem": 64,
                 "backoffSeconds": 1, "backoffFactor": 2, "maxLaunchDelaySeconds": 60}""".formatted(id, instances));
        return ((ParsedApp.Valid) parsed).app();
    }

    private static NodeHeartbeat node(Instant at, String... running) {
        return new NodeHeartbeat("hb-" + UUID.randomUUID(), 1, at, null, "node-1", "node-1", "127.0.0.1",
                new NodeResources(4, 4096, 10000), new PortRange(31000, 31999), Map.of(), "best-effort",
                "http://127.0.0.1:1", List.of(running));
    }

    private static TaskStatus status(TaskRecord task, TaskState state, String reason, Integer exitCode, Instant at) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, at, null, task.taskId(), task.appId(), task.nodeId(),
                state, reason, exitCode);
    }

    private static TaskStatus health(TaskRecord task, HealthReport report) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, Instant.now(), null, task.taskId(), task.appId(),
                task.nodeId(), TaskState.UNHEALTHY, null, null, report);
    }

    private static AppQueue queuedIn(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.RecordQueue).map(a -> ((Action.RecordQueue) a).queue())
                .reduce((a, b) -> b).orElseThrow();
    }
}
