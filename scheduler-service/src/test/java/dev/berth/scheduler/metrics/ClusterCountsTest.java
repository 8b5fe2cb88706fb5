package dev.berth.scheduler.metrics;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.scheduler.metrics.ClusterCounts.StateAndTeam;
import dev.berth.scheduler.metrics.ClusterCounts.StatusAndTeam;
import dev.berth.scheduler.metrics.ClusterCounts.WaitReason;
import dev.berth.scheduler.placement.NodeAvailability;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClusterCountsTest {
    private static final Instant NOW = Instant.parse("2026-12-07T18:00:00Z");

    @Test
    void countsTasksByObservedStateAndTheTeamOfTheirApp() {
        // Given two tasks of team-a (one running, one healthy) and one staging task of team-b
        List<TaskRecord> tasks = List.of(task("/team-a/web", 0, TaskState.RUNNING),
                task("/team-a/web", 1, TaskState.HEALTHY), task("/team-b/db", 0, TaskState.STAGING));

        // When counted
        ClusterCounts counts = ClusterCounts.of(List.of(), tasks, id -> Optional.empty(), id -> Optional.empty(), List.of());

        // Then each (state, team) has its own count
        assertEquals(Map.of(new StateAndTeam("RUNNING", "team-a"), 1L, new StateAndTeam("HEALTHY", "team-a"), 1L,
                new StateAndTeam("STAGING", "team-b"), 1L), counts.tasks());
    }

    @Test
    void countsAppsByTheStatusTheApiShows() {
        // Given an app whose one instance runs, one still staging, one deleting, one crash-looping
        AppState running = app("/team-a/web", 1, false);
        AppState deploying = app("/team-a/api", 1, false);
        AppState deleting = app("/team-b/old", 1, true);
        AppState looping = app("/team-b/bad", 1, false);
        List<TaskRecord> tasks = List.of(task("/team-a/web", 0, TaskState.RUNNING),
                task("/team-a/api", 0, TaskState.STAGING));
        AppTaskHistory threeFailures = new AppTaskHistory("h", 1, NOW, null, "/team-b/bad", null, 3, List.of(),
                List.of());

        // When counted
        ClusterCounts counts = ClusterCounts.of(List.of(running, deploying, deleting, looping), tasks,
                id -> Optional.empty(), id -> id.equals("/team-b/bad") ? Optional.of(threeFailures) : Optional.empty(),
                List.of());

        // Then
        assertEquals(Map.of(new StatusAndTeam("RUNNING", "team-a"), 1L, new StatusAndTeam("DEPLOYING", "team-a"), 1L,
                new StatusAndTeam("DELETING", "team-b"), 1L, new StatusAndTeam("CRASH_LOOPING", "team-b"), 1L),
                counts.apps());
    }

    @Test
    void countsWaitingInstancesByWhyTheyWaitNotByThePlacementEnginesWording() {
        // Given an app with two instances no node fits, one backing off, and one waiting for nothing of both
        AppState unplaced = app("/team-a/big", 2, false);
        AppState backoff = app("/team-a/flaky", 1, false);
        AppState pending = app("/team-a/vol", 1, false);
        Map<String, AppQueue> queue = Map.of(
                "/team-a/big", AppQueue.of("/team-a/big", 2, Map.of("insufficient mem", 3), null, NOW),
                "/team-a/flaky", AppQueue.of("/team-a/flaky", 1, Map.of(), NOW.plusSeconds(10), NOW),
                "/team-a/vol", AppQueue.of("/team-a/vol", 1, Map.of(), null, NOW));

        // When counted
        ClusterCounts counts = ClusterCounts.of(List.of(unplaced, backoff, pending), List.of(),
                id -> Optional.ofNullable(queue.get(id)), id -> Optional.empty(), List.of());

        // Then
        assertEquals(Map.of(WaitReason.UNPLACED, 2L, WaitReason.BACKOFF, 1L, WaitReason.PENDING, 1L), counts.waiting());
        assertEquals("unplaced", WaitReason.UNPLACED.label());
    }

    @Test
    void countsNodesByAvailability() {
        ClusterCounts counts = ClusterCounts.of(List.of(), List.of(), id -> Optional.empty(), id -> Optional.empty(),
                List.of(NodeAvailability.READY, NodeAvailability.READY, NodeAvailability.UNREACHABLE));

        assertEquals(Map.of(NodeAvailability.READY, 2L, NodeAvailability.UNREACHABLE, 1L), counts.nodes());
    }

    @Test
    void aStandbyShowsNothing() {
        ClusterCounts none = ClusterCounts.none();
        assertEquals(Map.of(), none.tasks());
        assertEquals(Map.of(), none.apps());
        assertEquals(Map.of(), none.waiting());
        assertEquals(Map.of(), none.nodes());
    }

    private static TaskRecord task(String appId, int instance, TaskState state) {
        TaskRecord staged = TaskRecord.launched(null, appId + "." + instance, appId, 1, instance, "node-1", "host-1",
                List.of(), NOW, null);
        return state == TaskState.STAGING ? staged : staged.observed(state, null, null, null, NOW);
    }

    private static AppState app(String id, int instances, boolean deleting) {
        AppDefinition definition = AppDefinition.basic(id, "sleep 100", null, instances, 0.1, 16, 0, Map.of(), Map.of(),
                List.of());
        return AppState.of(definition, 1, deleting, null);
    }
}
