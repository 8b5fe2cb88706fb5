package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task of a routed app is drained before it is killed: the scheduler records it draining (the
 * routers send it no new request) and sends its kill only once the app's drain seconds are over.
 */
class DrainTest {
    private final Instant t0 = Instant.parse("2026-12-07T09:00:00Z");
    private final SchedulerCore core = new SchedulerCore(SchedulerSettings.defaults(),
            new PlacementEngine(PlacementStrategy.SPREAD));

    private static AppDefinition app(String id, Map<String, String> labels) {
        return AppDefinition.basic(id, "run", null, 2, 0.1, 16, 0, Map.of(), labels,
                List.of(new PortDefinition(0, "http", "tcp", Map.of())));
    }

    private List<TaskRecord> startTwo(AppDefinition app) {
        core.onNodeReport(new NodeHeartbeat("hb", 1, t0, null, "node-1", "node-1", "127.0.0.1", new NodeResources(8, 4096, 10000),
                new PortRange(31000, 31999), Map.of(), "best-effort", "http://127.0.0.1:1", List.of()), t0);
        List<TaskRecord> launched = core.onAppCommand(CreateApp.of(app), t0).stream()
                .filter(a -> a instanceof Action.SendToNode s && s.command() instanceof LaunchTask)
                .map(a -> core.task(((LaunchTask) ((Action.SendToNode) a).command()).taskId()).orElseThrow()).toList();
        for (TaskRecord task : launched) {
            core.onTaskStatus(new TaskStatus("st-" + UUID.randomUUID(), 1, t0, null, task.taskId(), task.appId(),
                    task.nodeId(), TaskState.RUNNING, null, null), t0);
        }
        return launched;
    }

    private static List<KillTask> kills(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.SendToNode s && s.command() instanceof KillTask)
                .map(a -> (KillTask) ((Action.SendToNode) a).command()).toList();
    }

    @Test
    void aRoutedTaskScaledAwayDrainsForTheAppsSecondsBeforeItsKill() {
        startTwo(app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web", "BERTH_ROUTE_DRAIN_SECONDS", "4")));

        List<Action> scaled = core.onAppCommand(ScaleApp.of("/team-a/web", 1), t0);

        assertEquals(List.of(), kills(scaled), "no kill yet");
        TaskRecord draining = core.tasksOf("/team-a/web").stream().filter(t -> t.drainUntil() != null).findFirst().orElseThrow();
        assertEquals(t0.plusSeconds(4), draining.drainUntil());
        assertEquals(dev.berth.contracts.messages.DesiredState.STOP, draining.desired());
        assertEquals(List.of(), kills(core.onTick(t0.plusSeconds(3))), "still draining");

        List<KillTask> killed = kills(core.onTick(t0.plusSeconds(4)));

        assertEquals(List.of(draining.taskId()), killed.stream().map(KillTask::taskId).toList());
        assertTrue(killed.get(0).reason() != null && !killed.get(0).reason().isBlank(), "the stop's reason goes with it");
        assertNull(core.task(draining.taskId()).orElseThrow().drainUntil(), "its drain is over");
        assertEquals(List.of(), kills(core.onTick(t0.plusSeconds(4))), "killed once");
    }

    @Test
    void aTaskOfAnAppWithoutRoutesIsKilledAtOnce() {
        startTwo(app("/team-a/worker", Map.of()));

        assertEquals(1, kills(core.onAppCommand(ScaleApp.of("/team-a/worker", 1), t0)).size());
    }

    @Test
    void aDrainOfZeroSecondsKillsAtOnce() {
        startTwo(app("/team-a/fast", Map.of("BERTH_ROUTE_0_PATH", "/team-a/fast", "BERTH_ROUTE_DRAIN_SECONDS", "0")));

        assertEquals(1, kills(core.onAppCommand(ScaleApp.of("/team-a/fast", 1), t0)).size());
    }

    @Test
    void aNewLeaderSendsTheKillOfATaskItsPredecessorWasDraining() {
        startTwo(app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web", "BERTH_ROUTE_DRAIN_SECONDS", "4")));
        core.onAppCommand(ScaleApp.of("/team-a/web", 1), t0);
        String draining = core.tasksOf("/team-a/web").stream().filter(t -> t.drainUntil() != null).findFirst()
                .orElseThrow().taskId();
        SchedulerCore second = new SchedulerCore(SchedulerSettings.defaults(), new PlacementEngine(PlacementStrategy.SPREAD));
        second.restore().app(core.app("/team-a/web").orElseThrow());
        core.tasksOf("/team-a/web").forEach(second.restore()::task);

        assertEquals(List.of(), kills(second.onTick(t0.plusSeconds(3))));
        assertEquals(List.of(draining), kills(second.onTick(t0.plusSeconds(4))).stream().map(KillTask::taskId).toList());
    }
}
