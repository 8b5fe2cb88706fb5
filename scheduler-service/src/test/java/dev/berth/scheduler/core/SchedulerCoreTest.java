package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.Container;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.scheduler.placement.Filters;
import dev.berth.scheduler.placement.FirstFitPlacer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerCoreTest {
    private final Instant t0 = Instant.parse("2026-11-24T12:00:00Z");
    private final SchedulerCore core = new SchedulerCore(
            new SchedulerSettings(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(1)),
            new FirstFitPlacer(Filters.defaults()));

    @Test
    void placesEveryInstanceOnANodeWithRoomAndSendsItsLaunch() {
        // Given two nodes with room for one 1-cpu instance each
        core.observe(node("node-1", 1.5), t0);
        core.observe(node("node-2", 1.5), t0);

        // When an app of two instances is created
        List<Action> actions = core.handle(CreateApp.of(app("/web", 2)), t0);

        // Then each node gets one launch, with a port from its range, and the tasks are STAGING
        List<LaunchTask> launches = commands(actions, LaunchTask.class);
        assertEquals(List.of("node-1", "node-2"), launches.stream().map(LaunchTask::nodeId).toList());
        assertEquals(31000, launches.get(0).spec().ports().get(0).port());
        assertTrue(core.tasksOf("/web").stream().allMatch(t -> t.state() == TaskState.STAGING));
        assertEquals(1, actions.stream().filter(a -> a instanceof Action.RecordApp).count());
    }

    @Test
    void explainsWhyAnInstanceCannotBePlaced() {
        // Given one node too small for the app
        core.observe(node("node-1", 0.5), t0);

        // When the app is created
        List<Action> actions = core.handle(CreateApp.of(app("/big", 1)), t0);

        // Then nothing launches and the reason names the resource
        assertTrue(commands(actions, LaunchTask.class).isEmpty());
        assertEquals(Map.of("insufficient cpus", 1), core.unplacedReasons("/big"));
    }

    @Test
    void aWaitingInstanceIsPlacedWhenANodeArrives() {
        core.handle(CreateApp.of(app("/later", 1)), t0);
        assertEquals(Map.of("no nodes registered", 0), core.unplacedReasons("/later"));

        List<Action> actions = core.observe(node("node-9", 2), t0.plusSeconds(1));

        assertEquals(1, commands(actions, LaunchTask.class).size());
        assertTrue(core.unplacedReasons("/later").isEmpty());
    }

    @Test
    void aRedeliveredCreateChangesNothing() {
        core.observe(node("node-1", 4), t0);
        CreateApp create = CreateApp.of(app("/once", 1));
        core.handle(create, t0);

        List<Action> again = core.handle(create, t0);

        assertTrue(again.isEmpty());
        assertEquals(1, core.tasksOf("/once").size());
    }

    @Test
    void deleteStopsEveryTaskAndRemovesTheAppOnceTheyAreGone() {
        // Given a running app of two instances
        core.observe(node("node-1", 4), t0);
        core.handle(CreateApp.of(app("/gone", 2)), t0);
        core.tasksOf("/gone").forEach(t -> core.handle(status(t, TaskState.RUNNING), t0));

        // When it is deleted
        List<Action> actions = core.handle(DeleteApp.of("/gone"), t0);

        // Then both tasks are killed and the app waits for them
        assertEquals(2, commands(actions, KillTask.class).size());
        assertTrue(core.app("/gone").orElseThrow().deleting());
        assertTrue(core.tasksOf("/gone").stream().allMatch(t -> t.desired() == DesiredState.STOP));

        // And when both report KILLED the app is removed
        List<Action> last = List.of();
        for (TaskRecord t : core.tasksOf("/gone")) {
            last = core.handle(status(t, TaskState.KILLED), t0);
        }
        assertTrue(core.app("/gone").isEmpty());
        assertTrue(last.stream().anyMatch(a -> a instanceof Action.RemoveApp));
    }

    @Test
    void aFailedTaskIsReplacedAfterTheRelaunchDelay() {
        core.observe(node("node-1", 4), t0);
        core.handle(CreateApp.of(app("/crashy", 1)), t0);
        TaskRecord first = core.tasksOf("/crashy").get(0);

        List<Action> onFailure = core.handle(status(first, TaskState.FAILED), t0);
        assertTrue(commands(onFailure, LaunchTask.class).isEmpty(), "no relaunch before the delay");

        List<Action> later = core.tick(t0.plusSeconds(2).plus(Duration.ofMillis(1)));
        List<LaunchTask> relaunch = commands(later, LaunchTask.class);
        assertEquals(1, relaunch.size());
        assertTrue(!relaunch.get(0).taskId().equals(first.taskId()));
    }

    @Test
    void aTaskRunningThatNoAppWantsIsKilled() {
        NodeHeartbeat heartbeat = new NodeHeartbeat("hb", 1, t0, null, "node-1", "h1", "127.0.0.1",
                new NodeResources(4, 4096, 10000), new PortRange(31000, 31999), Map.of(), "best-effort",
                "http://127.0.0.1:1", List.of("stray.1"));

        List<Action> actions = core.observe(heartbeat, t0);

        List<KillTask> kills = commands(actions, KillTask.class);
        assertEquals(1, kills.size());
        assertEquals("stray.1", kills.get(0).taskId());
    }

    @Test
    void aNodeThatStoppedHeartbeatingGetsNoNewTasks() {
        core.observe(node("node-1", 4), t0);

        core.handle(CreateApp.of(app("/late", 1)), t0.plusSeconds(6));

        assertEquals(Map.of("node unreachable", 1), core.unplacedReasons("/late"));
    }

    private NodeHeartbeat node(String id, double cpus) {
        return new NodeHeartbeat("hb-" + id, 1, t0, null, id, id, "127.0.0.1", new NodeResources(cpus, 4096, 10000),
                new PortRange(31000, 31999), Map.of(), "best-effort", "http://127.0.0.1:1", List.of());
    }

    private static AppDefinition app(String id, int instances) {
        return AppDefinition.basic(id, "sleep 100", null, instances, 1, 64, 0, Map.of(), Map.of(),
                List.of(new PortDefinition(0, "http", "tcp", Map.of())));
    }

    private static TaskStatus status(TaskRecord task, TaskState state) {
        return TaskStatus.of(task.taskId(), task.appId(), task.nodeId(), state, null, null, null);
    }

    private static <T> List<T> commands(List<Action> actions, Class<T> type) {
        return actions.stream()
                .filter(a -> a instanceof Action.SendToNode)
                .map(a -> ((Action.SendToNode) a).command())
                .filter(type::isInstance).map(type::cast).toList();
    }
}
