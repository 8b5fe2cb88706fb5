package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.ExternalVolume;
import dev.berth.contracts.app.PersistentVolume;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
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
        first.onNodeReport(node, t0);
        first.onAppCommand(CreateApp.of(AppDefinition.basic("/kept", "sleep 1", null, 2, 0.5, 32, 0, Map.of(), Map.of(),
                List.of())), t0);
        AppState app = first.app("/kept").orElseThrow();
        List<TaskRecord> tasks = first.tasksOf("/kept");

        // When a new scheduler restores the same records (as read back from berth.apps / berth.tasks)
        SchedulerCore second = newCore();
        second.restore().app(app);
        tasks.forEach(second.restore()::task);
        second.onNodeReport(node, t0.plusSeconds(1));
        List<Action> actions = second.onTick(t0.plusSeconds(1));

        // Then it launches nothing more, and a heartbeat listing those tasks kills none of them
        assertTrue(actions.stream().noneMatch(a -> a instanceof Action.SendToNode s && s.command() instanceof LaunchTask));
        NodeHeartbeat running = new NodeHeartbeat("hb2", 1, t0, null, "node-1", "h", "127.0.0.1",
                new NodeResources(4, 4096, 1000), new PortRange(31000, 31100), Map.of(), "best-effort", "u",
                tasks.stream().map(TaskRecord::taskId).toList());
        assertTrue(second.onNodeReport(running, t0.plusSeconds(2)).isEmpty());
        assertEquals(2, second.tasksOf("/kept").size());
    }

    @Test
    void aRebuiltSchedulerKeepsATaskKilledForItsHealthOutOfTheInstancesAndLaunchesOneReplacement() {
        // Given a scheduler that killed an instance for failing its health check, before relaunching it
        SchedulerCore first = newCore();
        NodeHeartbeat node = new NodeHeartbeat("hb", 1, t0, null, "node-1", "h", "127.0.0.1",
                new NodeResources(4, 4096, 1000), new PortRange(31000, 31100), Map.of(), "cgroups-v2", "u",
                List.of());
        first.onNodeReport(node, t0);
        first.onAppCommand(CreateApp.of(AppDefinition.basic("/sick", "sleep 1", null, 1, 0.5, 32, 0, Map.of(), Map.of(),
                List.of())), t0);
        TaskRecord sick = first.tasksOf("/sick").get(0);
        first.onTaskStatus(TaskStatus.of(sick.taskId(), "/sick", "node-1", TaskState.RUNNING, null, null, null), t0);
        first.onTaskStatus(TaskStatus.health(sick.taskId(), "/sick", "node-1", TaskState.UNHEALTHY,
                "HEALTH_CHECK_FAILED: HTTP 500", new HealthReport(0, 3, 3, "HTTP 500")), t0);

        // When a new scheduler restores the records as read back from the topics
        SchedulerCore second = newCore();
        second.restore().app(JsonCodec.decode(JsonCodec.encode(first.app("/sick").orElseThrow()), AppState.class));
        TaskRecord restored = JsonCodec.decode(JsonCodec.encode(first.tasksOf("/sick").get(0)), TaskRecord.class);
        second.restore().task(restored);
        List<Action> actions = new ArrayList<>(second.onNodeReport(node, t0.plusSeconds(5)));
        actions.addAll(second.onTick(t0.plusSeconds(5)));

        // Then the record keeps its health, the dying task is no instance, and exactly one replacement launches
        assertEquals(new HealthReport(0, 3, 3, "HTTP 500"), restored.health());
        assertEquals(DesiredState.STOP, restored.desired());
        assertEquals(1, actions.stream().filter(a -> a instanceof Action.SendToNode s
                && s.command() instanceof LaunchTask).count());
    }

    @Test
    void aRebuiltSchedulerSendsTheAttachesStillAwaitedAgainAndLaunchesOnceTheyAreAttached() {
        // Given a scheduler that placed a stateful instance and heard one of its two volumes attached
        SchedulerCore first = newCore();
        NodeHeartbeat node = new NodeHeartbeat("hb", 1, t0, null, "node-1", "h", "127.0.0.1",
                new NodeResources(4, 4096, 1000), new PortRange(31000, 31100), Map.of(), "cgroups-v2", "u", List.of(),
                Map.of(), new NodeVolumes(List.of("local", "sharedfs"), 3000));
        first.onNodeReport(node, t0);
        AppDefinition def = AppDefinition.basic("/pg", "postgres", null, 1, 0.5, 32, 0, Map.of(), Map.of(), List.of())
                .withVolumes(List.of(new AppVolume("data", VolumeMode.RW, new PersistentVolume("root", 64), null),
                        new AppVolume("/wal", VolumeMode.RW, null, new ExternalVolume("wal", 64, "sharedfs", Map.of()))));
        List<AttachVolume> attaches = first.onAppCommand(CreateApp.of(def), t0).stream()
                .filter(a -> a instanceof Action.SendToVolumes s && s.command() instanceof AttachVolume)
                .map(a -> (AttachVolume) ((Action.SendToVolumes) a).command()).toList();
        assertEquals(List.of("pg.pg-0.data", "wal-0"), attaches.stream().map(AttachVolume::volumeId).toList());
        VolumeEvent localAttached = attached(attaches.get(0));
        first.onVolumeEvent(localAttached, t0);

        // When a new scheduler restores what the topics hold (the task mid-handshake) and acts
        SchedulerCore second = newCore();
        second.restore().app(JsonCodec.decode(JsonCodec.encode(first.app("/pg").orElseThrow()), AppState.class));
        first.tasksOf("/pg").forEach(t -> second.restore().task(JsonCodec.decode(JsonCodec.encode(t), TaskRecord.class)));
        second.restore().node(node);
        second.restore().volume(localAttached);
        List<Action> resumed = second.onTick(t0.plusSeconds(1));

        // Then it attaches the volume still awaited again, for the same task, and launches nothing yet
        List<AttachVolume> again = resumed.stream()
                .filter(a -> a instanceof Action.SendToVolumes s && s.command() instanceof AttachVolume)
                .map(a -> (AttachVolume) ((Action.SendToVolumes) a).command()).toList();
        assertEquals(1, again.size());
        assertEquals("wal-0", again.get(0).volumeId());
        assertEquals(attaches.get(1).taskId(), again.get(0).taskId());
        assertTrue(resumed.stream().noneMatch(a -> a instanceof Action.SendToNode s && s.command() instanceof LaunchTask));

        // And once the volume service answers, the task launches with both volumes
        List<Action> launched = second.onVolumeEvent(attached(again.get(0)), t0.plusSeconds(1));
        LaunchTask launch = launched.stream().filter(a -> a instanceof Action.SendToNode s
                && s.command() instanceof LaunchTask).map(a -> (LaunchTask) ((Action.SendToNode) a).command())
                .findFirst().orElseThrow();
        assertEquals(List.of("pg.pg-0.data", "wal-0"), launch.spec().volumes().stream().map(VolumeMount::volumeId)
                .toList());
        assertTrue(launch.spec().volumes().stream().allMatch(m -> m.fencingEpoch() == 1));
    }

    @Test
    void aRebuiltSchedulerKeepsTheNewGenerationOfAReplacementThatWasNotPlacedYet() {
        // Given a scheduler that replaced an identity whose local volume's node is lost, with no other node to go to
        SchedulerCore first = newCore();
        VolumeServiceDouble service = new VolumeServiceDouble();
        List<VolumeEvent> topic = new ArrayList<>();
        NodeHeartbeat node1 = statefulNode("node-1", t0);
        first.onNodeReport(node1, t0);
        settle(first, service, topic, first.onAppCommand(CreateApp.of(pg(new AppVolume("data", VolumeMode.RW,
                new PersistentVolume("root", 64), null))), t0), t0);
        TaskRecord task = first.tasksOf("/pg").get(0);
        first.onTaskStatus(TaskStatus.of(task.taskId(), "/pg", "node-1", TaskState.RUNNING, null, null, null), t0);
        first.onTick(t0.plusSeconds(6));
        ReplaceInstance replace = ReplaceInstance.of("/pg", "pg-0", "disk gone");
        first.onAppCommand(replace, t0.plusSeconds(7));
        assertTrue(first.tasksOf("/pg").isEmpty());

        // When a new scheduler restores what the topics hold, and a node joins
        SchedulerCore second = newCore();
        second.restore().app(JsonCodec.decode(JsonCodec.encode(first.app("/pg").orElseThrow()), AppState.class));
        second.restore().node(node1);
        topic.forEach(second.restore()::volume);
        List<Action> placed = second.onNodeReport(statefulNode("node-2", t0.plusSeconds(8)), t0.plusSeconds(8));

        // Then the identity goes to the new node with the fresh volume, not back to waiting for node-1
        assertEquals(1, second.app("/pg").orElseThrow().generation("pg-0"));
        List<AttachVolume> attaches = attaches(placed);
        assertEquals(List.of("pg.pg-0.data~1"), attaches.stream().map(AttachVolume::volumeId).toList());
        assertEquals("node-2", attaches.get(0).nodeId());
        // And the same command, redelivered, replaces nothing more
        assertTrue(attaches(second.onAppCommand(replace, t0.plusSeconds(9))).isEmpty());
        assertEquals(1, second.app("/pg").orElseThrow().generation("pg-0"));
    }

    @Test
    void aRebuiltSchedulerStillWipesTheVolumesOfAnAppDeletedWithWipeWhoseTasksWereStillStopping() {
        // Given a scheduler that began to delete a stateful app with wipe, its task still being killed
        SchedulerCore first = newCore();
        VolumeServiceDouble service = new VolumeServiceDouble();
        List<VolumeEvent> topic = new ArrayList<>();
        NodeHeartbeat node1 = statefulNode("node-1", t0);
        first.onNodeReport(node1, t0);
        settle(first, service, topic, first.onAppCommand(CreateApp.of(pg(
                new AppVolume("data", VolumeMode.RW, new PersistentVolume("root", 64), null),
                new AppVolume("/wal", VolumeMode.RW, null, new ExternalVolume("wal", 64, "sharedfs", Map.of())))),
                t0), t0);
        TaskRecord task = first.tasksOf("/pg").get(0);
        first.onTaskStatus(TaskStatus.of(task.taskId(), "/pg", "node-1", TaskState.RUNNING, null, null, null), t0);
        first.onAppCommand(DeleteApp.of("/pg", true), t0);

        // When a new scheduler restores what the topics hold and then hears the task was killed
        SchedulerCore second = newCore();
        second.restore().app(JsonCodec.decode(JsonCodec.encode(first.app("/pg").orElseThrow()), AppState.class));
        first.tasksOf("/pg").forEach(t -> second.restore().task(JsonCodec.decode(JsonCodec.encode(t), TaskRecord.class)));
        second.restore().node(node1);
        topic.forEach(second.restore()::volume);
        List<Action> ended = second.onTaskStatus(TaskStatus.of(task.taskId(), "/pg", "node-1", TaskState.KILLED, null, null,
                null), t0.plusSeconds(1));

        // Then each volume is released and deleted, and the app is gone
        List<String> deleted = ended.stream().filter(a -> a instanceof Action.SendToVolumes s
                && s.command() instanceof DeleteVolume).map(a -> ((Action.SendToVolumes) a).command().volumeId())
                .sorted().toList();
        assertEquals(List.of("pg.pg-0.data", "wal-0"), deleted);
        assertTrue(ended.contains(new Action.RemoveApp("/pg")));
        settle(second, service, topic, ended, t0.plusSeconds(1));
        assertEquals(VolumeState.DELETED, service.get("pg.pg-0.data").state());
        assertEquals(VolumeState.DELETED, service.get("wal-0").state());
    }

    private AppDefinition pg(AppVolume... volumes) {
        return AppDefinition.basic("/pg", "postgres", null, 1, 0.5, 32, 0, Map.of(), Map.of(), List.of())
                .withVolumes(List.of(volumes));
    }

    private static NodeHeartbeat statefulNode(String nodeId, Instant at) {
        return new NodeHeartbeat("hb-" + nodeId + "-" + at, 1, at, null, nodeId, nodeId, "127.0.0.1",
                new NodeResources(4, 4096, 1000), new PortRange(31000, 31100), Map.of(), "cgroups-v2", "u", List.of(),
                Map.of(), new NodeVolumes(List.of("local", "sharedfs"), 3000));
    }

    /** Lets the volume service carry out every volume command until none is left; its events are the topic. */
    private static void settle(SchedulerCore core, VolumeServiceDouble service, List<VolumeEvent> topic,
                               List<Action> actions, Instant now) {
        List<Action> pending = actions;
        while (!pending.isEmpty()) {
            List<VolumeEvent> events = service.answer(pending);
            topic.addAll(events);
            pending = new ArrayList<>();
            for (VolumeEvent event : events) {
                pending.addAll(core.onVolumeEvent(event, now));
            }
        }
    }

    private static List<AttachVolume> attaches(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.SendToVolumes s && s.command() instanceof AttachVolume)
                .map(a -> (AttachVolume) ((Action.SendToVolumes) a).command()).toList();
    }

    /** What the volume service announces once it carried out the attach. */
    private VolumeEvent attached(AttachVolume attach) {
        return VolumeEvent.of(VolumeEvent.Kind.ATTACHED, new VolumeSnapshot(attach.volumeId(), attach.name(),
                attach.appId(), attach.identity(), attach.type(), attach.provider(), attach.sizeMib(),
                attach.nodeId(), VolumeState.ATTACHED, attach.nodeId(), attach.taskId(), 1, 2, t0), attach.taskId(),
                null, null);
    }
}
