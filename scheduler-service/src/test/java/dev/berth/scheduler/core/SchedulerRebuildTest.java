package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A scheduler that starts over from what the compacted topics hold carries on without relaunching. */
class SchedulerRebuildTest {
    private final Instant t0 = Instant.parse("2026-11-24T12:00:00Z");

    private SchedulerCore newCore() {
        return new SchedulerCore(SchedulerSettings.defaults(), new PlacementEngine(PlacementStrategy.SPREAD));
    }

    @Test
    void aRebuiltSchedulerLaunchesNothingThatAlreadyRuns() {
        // Given a scheduler that placed two instances
        SchedulerCore first = newCore();
        NodeHeartbeat node = new NodeHeartbeat("hb", 1, t0, null, "node-1", "h", "127.0.0.1",
                new NodeResources(4, 4096, 1000), new PortRange(31000, 31100), Map.of(), "best-effort", "u", List.of());
        first.observe(node, t0);
        first.handle(CreateApp.of(AppDefinition.basic("/kept", "sleep 1", null, 2, 0.5, 32, 0, Map.of(), Map.of(),
                List.of())), t0);
        AppState app = first.app("/kept").orElseThrow();
        List<TaskRecord> tasks = first.tasksOf("/kept");

        // When a new scheduler restores the same records (as read back from berth.apps / berth.tasks)
        SchedulerCore second = newCore();
        second.restoreApp(app);
        tasks.forEach(second::restoreTask);
        second.observe(node, t0.plusSeconds(1));
        List<Action> actions = second.tick(t0.plusSeconds(1));

        // Then it launches nothing more, and a heartbeat listing those tasks kills none of them
        assertTrue(actions.stream().noneMatch(a -> a instanceof Action.SendToNode s && s.command() instanceof LaunchTask));
        NodeHeartbeat running = new NodeHeartbeat("hb2", 1, t0, null, "node-1", "h", "127.0.0.1",
                new NodeResources(4, 4096, 1000), new PortRange(31000, 31100), Map.of(), "best-effort", "u",
                tasks.stream().map(TaskRecord::taskId).toList());
        assertTrue(second.observe(running, t0.plusSeconds(2)).isEmpty());
        assertEquals(2, second.tasksOf("/kept").size());
    }
}
