package dev.berth.scheduler.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public events the core announces, each next to the change it announces, and only for changes. */
class AnnouncementsTest {
    private final Instant t0 = Instant.parse("2026-11-24T12:00:00Z");
    private final SchedulerCore core = newCore();

    // ---- apps ---------------------------------------------------------------------------------------

    @Test
    void aCreatedAppIsAnnouncedWithItsTeamVersionAndInstances() {
        core.onNodeReport(node("node-1"), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(app("/team-a/web", 2)), t0);

        CloudEvent created = only(actions, EventTypes.APP_CREATED);
        assertEquals("/berth/scheduler", created.source());
        assertEquals("apps/team-a/web", created.subject());
        assertEquals("team-a", created.team());
        assertEquals(t0, created.time());
        assertEquals("/team-a/web", created.data().get("appId").asText());
        assertEquals(1, created.data().get("version").asLong());
        assertEquals(2, created.data().get("instances").asInt());
        assertFalse(created.data().has("change"));
    }

    @Test
    void aScaleAndARestartAreAnnouncedAsUpdatesSayingWhatChanged() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);

        CloudEvent scaled = only(core.onAppCommand(ScaleApp.of("/team-a/web", 3), t0), EventTypes.APP_UPDATED);
        CloudEvent restarted = only(core.onAppCommand(RestartApp.of("/team-a/web"), t0), EventTypes.APP_UPDATED);

        assertEquals("scaled", scaled.data().get("change").asText());
        assertEquals(2, scaled.data().get("version").asLong());
        assertEquals(3, scaled.data().get("instances").asInt());
        assertEquals("restarted", restarted.data().get("change").asText());
        assertEquals(3, restarted.data().get("version").asLong());
    }

    @Test
    void aRepeatedCreateOrAScaleToTheSameCountAnnouncesNothing() {
        core.onNodeReport(node("node-1"), t0);
        CreateApp create = CreateApp.of(app("/team-a/web", 1));
        core.onAppCommand(create, t0);

        assertTrue(events(core.onAppCommand(create, t0)).isEmpty());
        assertTrue(events(core.onAppCommand(ScaleApp.of("/team-a/web", 1), t0)).isEmpty());
    }

    @Test
    void aDeletedAppIsAnnouncedDeletingAtOnceAndDeletedOnlyWithItsTombstone() {
        // Given an app with a running task
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);
        TaskRecord task = core.tasksOf("/team-a/web").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);

        // When it is deleted, the new version says so, but it is not gone while its task stops
        List<Action> deleting = core.onAppCommand(DeleteApp.of("/team-a/web"), t0);
        assertEquals("deleting", only(deleting, EventTypes.APP_UPDATED).data().get("change").asText());
        assertTrue(ofType(deleting, EventTypes.APP_DELETED).isEmpty());

        // Then once the task is killed, the tombstone and app.deleted go out together
        List<Action> gone = core.onTaskStatus(status(task, TaskState.KILLED), t0);
        assertTrue(gone.contains(new Action.RemoveApp("/team-a/web")));
        CloudEvent deleted = only(gone, EventTypes.APP_DELETED);
        assertEquals("apps/team-a/web", deleted.subject());
        assertEquals(2, deleted.data().get("version").asLong());
    }

    // ---- tasks --------------------------------------------------------------------------------------

    @Test
    void aPlacedTaskIsAnnouncedStagingWhereItRuns() {
        core.onNodeReport(node("node-1"), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);

        TaskRecord task = core.tasksOf("/team-a/web").get(0);
        CloudEvent staging = only(actions, EventTypes.TASK_STATE);
        assertEquals("tasks/" + task.taskId(), staging.subject());
        assertEquals("team-a", staging.team());
        JsonNode data = staging.data();
        assertEquals(task.taskId(), data.get("taskId").asText());
        assertEquals("/team-a/web", data.get("appId").asText());
        assertEquals("node-1", data.get("nodeId").asText());
        assertEquals("127.0.0.1", data.get("host").asText());
        assertEquals("STAGING", data.get("state").asText());
        assertFalse(data.has("previousState"));
    }

    @Test
    void aStatusThatChangesTheStateIsAnnouncedOnceAndItsRedeliveryNotAgain() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);
        TaskRecord task = core.tasksOf("/team-a/web").get(0);
        TaskStatus running = status(task, TaskState.RUNNING);

        CloudEvent event = only(core.onTaskStatus(running, t0), EventTypes.TASK_STATE);
        List<Action> again = core.onTaskStatus(running, t0);

        assertEquals("RUNNING", event.data().get("state").asText());
        assertEquals("STAGING", event.data().get("previousState").asText());
        assertTrue(events(again).isEmpty());
    }

    @Test
    void aTaskThatEndsIsAnnouncedWithItsReasonAndExitCodeNextToItsTombstone() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);
        TaskRecord task = core.tasksOf("/team-a/web").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);

        List<Action> actions = core.onTaskStatus(new TaskStatus("st-1", 1, t0, null, task.taskId(), task.appId(),
                task.nodeId(), TaskState.FAILED, "exited with 3", 3), t0);

        assertTrue(actions.contains(new Action.RemoveTask(task.taskId())));
        CloudEvent failed = ofType(actions, EventTypes.TASK_STATE).stream()
                .filter(e -> e.subject().equals("tasks/" + task.taskId())).findFirst().orElseThrow();
        assertEquals("FAILED", failed.data().get("state").asText());
        assertEquals("RUNNING", failed.data().get("previousState").asText());
        assertEquals("exited with 3", failed.data().get("reason").asText());
        assertEquals(3, failed.data().get("exitCode").asInt());
    }

    @Test
    void aHealthVerdictIsAnnouncedWhenItChangesWithTheAgentsReport() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);
        TaskRecord task = core.tasksOf("/team-a/web").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);

        List<Action> healthy = core.onTaskStatus(health(task, TaskState.HEALTHY, new HealthReport(0, 0, 3, "HTTP 200")), t0);
        List<Action> unhealthy = core.onTaskStatus(health(task, TaskState.UNHEALTHY,
                new HealthReport(0, 1, 3, "HTTP 500")), t0);
        List<Action> worse = core.onTaskStatus(health(task, TaskState.UNHEALTHY, new HealthReport(0, 2, 3, "HTTP 500")), t0);

        CloudEvent up = only(healthy, EventTypes.TASK_HEALTH);
        assertEquals("tasks/" + task.taskId(), up.subject());
        assertEquals("HEALTHY", up.data().get("verdict").asText());
        assertEquals("RUNNING", up.data().get("previousState").asText());
        assertEquals("HTTP 200", up.data().get("report").get("lastResult").asText());
        CloudEvent down = only(unhealthy, EventTypes.TASK_HEALTH);
        assertEquals("UNHEALTHY", down.data().get("verdict").asText());
        assertEquals(1, down.data().get("report").get("consecutiveFailures").asInt());
        // Each change of verdict is a state change too; a second failure in a row changes neither.
        assertEquals(1, ofType(unhealthy, EventTypes.TASK_STATE).size());
        assertTrue(events(worse).isEmpty());
    }

    // ---- nodes --------------------------------------------------------------------------------------

    @Test
    void aNodeIsAnnouncedUpWhenFirstHeardAndNotOnItsHeartbeats() {
        CloudEvent up = only(core.onNodeReport(node("node-1"), t0), EventTypes.NODE_UP);
        List<Action> heartbeat = core.onNodeReport(nodeAt("node-1", t0.plusSeconds(1)), t0.plusSeconds(1));

        assertEquals("nodes/node-1", up.subject());
        assertNull(up.team());
        assertEquals("node-1", up.data().get("nodeId").asText());
        assertEquals("127.0.0.1", up.data().get("host").asText());
        assertTrue(events(heartbeat).isEmpty());
    }

    @Test
    void aSilentNodeIsAnnouncedDownWithItsLostTasksAndUpAgainWhenHeard() {
        // Given a node running one task
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);
        TaskRecord task = core.tasksOf("/team-a/web").get(0);
        core.onTaskStatus(status(task, TaskState.RUNNING), t0);

        // When it stays silent past the node timeout
        List<Action> silent = core.onTick(t0.plusSeconds(6));

        // Then it is announced down with the task it lost, and the task LOST
        CloudEvent down = only(silent, EventTypes.NODE_DOWN);
        assertEquals("nodes/node-1", down.subject());
        assertEquals(1, down.data().get("tasksLost").asInt());
        CloudEvent lost = only(silent, EventTypes.TASK_STATE);
        assertEquals("LOST", lost.data().get("state").asText());
        assertEquals("node node-1 unreachable", lost.data().get("reason").asText());
        assertTrue(ofType(core.onTick(t0.plusSeconds(7)), EventTypes.NODE_DOWN).isEmpty());

        // And when it is heard again, up
        only(core.onNodeReport(nodeAt("node-1", t0.plusSeconds(8)), t0.plusSeconds(8)), EventTypes.NODE_UP);
    }

    @Test
    void aDrainAndAnUndrainAreAnnouncedOnceEach() {
        core.onNodeReport(node("node-1"), t0);

        CloudEvent drain = only(core.onNodeAdmin(DrainNode.of("node-1"), t0), EventTypes.NODE_DRAIN);
        List<Action> drainAgain = core.onNodeAdmin(DrainNode.of("node-1"), t0);
        CloudEvent undrain = only(core.onNodeAdmin(UndrainNode.of("node-1"), t0), EventTypes.NODE_UNDRAIN);
        List<Action> undrainAgain = core.onNodeAdmin(UndrainNode.of("node-1"), t0);

        assertEquals("nodes/node-1", drain.subject());
        assertEquals("127.0.0.1", drain.data().get("host").asText());
        assertEquals("nodes/node-1", undrain.subject());
        assertTrue(events(drainAgain).isEmpty());
        assertTrue(events(undrainAgain).isEmpty());
    }

    // ---- a scheduler that takes over ------------------------------------------------------------------

    @Test
    void aRebuiltSchedulerAnnouncesNothingOfWhatItRestored() {
        // Given the records a previous scheduler wrote: a node, a running app and its drained node
        SchedulerCore first = newCore();
        first.onNodeReport(node("node-1"), t0);
        first.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);
        first.onTaskStatus(status(first.tasksOf("/team-a/web").get(0), TaskState.RUNNING), t0);
        AppState app = first.app("/team-a/web").orElseThrow();
        TaskRecord task = first.tasksOf("/team-a/web").get(0);

        // When a new scheduler restores them and goes on with the node's next heartbeat and a tick
        SchedulerCore second = newCore();
        second.restore().node(nodeAt("node-1", t0.plusSeconds(1), task.taskId()));
        second.restore().app(app);
        second.restore().task(task);
        List<Action> heartbeat = second.onNodeReport(nodeAt("node-1", t0.plusSeconds(2), task.taskId()), t0.plusSeconds(2));
        List<Action> tick = second.onTick(t0.plusSeconds(2));

        // Then nothing is announced: the previous scheduler announced all of it
        assertTrue(events(heartbeat).isEmpty());
        assertTrue(events(tick).isEmpty());
    }

    @Test
    void anEventIsWrittenAsStructuredCloudEventJson() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web", 1)), t0);
        TaskRecord task = core.tasksOf("/team-a/web").get(0);
        CloudEvent running = only(core.onTaskStatus(status(task, TaskState.RUNNING), t0), EventTypes.TASK_STATE);

        JsonNode json = JsonCodec.mapper().valueToTree(JsonCodec.decode(JsonCodec.encode(running), CloudEvent.class));

        assertEquals("1.0", json.get("specversion").asText());
        assertEquals("dev.berth.task.state", json.get("type").asText());
        assertEquals("application/json", json.get("datacontenttype").asText());
        assertEquals("2026-11-24T12:00:00Z", json.get("time").asText());
        // Absent rather than null: a stateless task has no identity, a running one no exit code.
        assertFalse(json.get("data").has("identity"));
        assertFalse(json.get("data").has("exitCode"));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static SchedulerCore newCore() {
        return new SchedulerCore(SchedulerSettings.defaults(), new PlacementEngine(PlacementStrategy.SPREAD));
    }

    private static List<CloudEvent> events(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.Announce)
                .map(a -> ((Action.Announce) a).event()).toList();
    }

    private static List<CloudEvent> ofType(List<Action> actions, String type) {
        return events(actions).stream().filter(e -> e.type().equals(type)).toList();
    }

    /** The one event of that type among the actions. */
    private static CloudEvent only(List<Action> actions, String type) {
        List<CloudEvent> found = ofType(actions, type);
        assertEquals(1, found.size(), () -> "events of type " + type + ": " + events(actions));
        return found.get(0);
    }

    private NodeHeartbeat node(String id) {
        return nodeAt(id, t0);
    }

    private static NodeHeartbeat nodeAt(String id, Instant at, String... running) {
        return new NodeHeartbeat("hb-" + UUID.randomUUID(), 1, at, null, id, id, "127.0.0.1",
                new NodeResources(4, 4096, 10000), new PortRange(31000, 31999), Map.of(), "best-effort",
                "http://127.0.0.1:1", List.of(running));
    }

    private static AppDefinition app(String id, int instances) {
        return AppDefinition.basic(id, "sleep 100", null, instances, 1, 64, 0, Map.of(), Map.of(),
                List.of(new PortDefinition(0, "http", "tcp", Map.of())));
    }

    private TaskStatus status(TaskRecord task, TaskState state) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, t0, null, task.taskId(), task.appId(), task.nodeId(), state,
                null, null);
    }

    private TaskStatus health(TaskRecord task, TaskState state, HealthReport report) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, t0, null, task.taskId(), task.appId(), task.nodeId(),
                state, null, null, report);
    }
}
