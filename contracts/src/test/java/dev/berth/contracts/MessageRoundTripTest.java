package dev.berth.contracts;

import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.app.Affinity;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentProgress;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.DeploymentStep;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.PromoteDeployment;
import dev.berth.contracts.messages.RollbackApp;
import dev.berth.contracts.messages.RollbackDeployment;
import dev.berth.contracts.messages.UpdateApp;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeRegistered;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.TaskUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageRoundTripTest {
    private static final Instant AT = Instant.parse("2026-11-24T10:15:30.123Z");

    private static AppDefinition app() {
        return ((ParsedApp.Valid) AppDefinitionParser.parse("""
                {"id": "team-a/web", "cmd": "python3 -m http.server $PORT0", "instances": 2, "cpus": 0.5,
                 "mem": 64, "env": {"GREETING": "hi"}, "labels": {"tier": "front"},
                 "portDefinitions": [{"port": 0, "name": "http"}]}""")).app();
    }

    private static <T> void assertRoundTrip(T message, Class<? super T> as) {
        String json = JsonCodec.encode(message);
        assertEquals(message, JsonCodec.decode(json, as), json);
    }

    @Test
    void everyAppCommandSurvivesTheCodecAsItsSealedType() {
        assertRoundTrip(CreateApp.of(app()), AppCommand.class);
        assertRoundTrip(DeleteApp.of("/team-a/web"), AppCommand.class);
        assertTrue(JsonCodec.encode(DeleteApp.of("/x")).contains("\"type\":\"DeleteApp\""));
        assertRoundTrip(ScaleApp.of("/team-a/web", 5), AppCommand.class);
        assertRoundTrip(RestartApp.of("/team-a/web"), AppCommand.class);
        assertRoundTrip(UpdateApp.of(app(), 3L, true), AppCommand.class);
        assertRoundTrip(PromoteDeployment.of("/team-a/web", "d1"), AppCommand.class);
        assertRoundTrip(RollbackDeployment.of("/team-a/web", "d1"), AppCommand.class);
        assertRoundTrip(RollbackApp.of("/team-a/web", 2, false), AppCommand.class);
    }

    @Test
    void anUpdateWrittenBeforeForceExistedIsNotForced() {
        String json = JsonCodec.encode(UpdateApp.of(app(), null)).replace(",\"force\":false", "");

        assertFalse(json.contains("\"force\""), json);
        assertFalse(((UpdateApp) JsonCodec.decode(json, AppCommand.class)).force());
    }

    @Test
    void aDeploymentSurvivesTheCodec() {
        assertRoundTrip(new Deployment("m9", 1, AT, "c1", "d1", "/team-a/web", 2, 3, app(), app().withInstances(3),
                DeploymentState.PAUSED, "1 canaries healthy; promote or roll back",
                List.of(new DeploymentStep(DeploymentStep.START_CANARIES, "1 canary", DeploymentStep.DONE),
                        DeploymentStep.pending(DeploymentStep.PAUSE, "promote or roll back")),
                1, new DeploymentProgress(3, 1, 1, 3), AT, AT.plusSeconds(600), null, Deployment.CAUSE_UPDATE),
                Deployment.class);
        assertTrue(DeploymentState.SUPERSEDED.isTerminal());
        assertFalse(DeploymentState.PAUSED.isTerminal());
    }

    @Test
    void placementRulesSurviveTheCodecInMarathonsArrayForm() {
        AppDefinition placed = app().withPlacement(
                List.of(new Constraint("hostname", Constraint.Operator.UNIQUE, null),
                        new Constraint("zone", Constraint.Operator.GROUP_BY, "2")),
                List.of(new Affinity("zone", "a", 50)), PlacementStrategy.SPREAD);
        assertRoundTrip(placed, AppDefinition.class);
        assertTrue(JsonCodec.encode(placed).contains("\"constraints\":[[\"hostname\",\"UNIQUE\"],[\"zone\",\"GROUP_BY\",\"2\"]]"),
                JsonCodec.encode(placed));
    }

    @Test
    void nodeAdminCommandsAndTheQueueSurviveTheCodec() {
        assertRoundTrip(DrainNode.of("node-1"), NodeAdminCommand.class);
        assertRoundTrip(UndrainNode.of("node-1"), NodeAdminCommand.class);
        assertRoundTrip(new AppQueue("m8", 1, AT, null, "/a", 2, Map.of("insufficient mem", 3), AT, AT), AppQueue.class);
    }

    @Test
    void appStateAndTaskRecordSurviveTheCodec() {
        assertRoundTrip(new AppState("m1", 1, AT, "c1", "/team-a/web", 3, app(), false, 2), AppState.class);
        assertRoundTrip(new TaskRecord("m2", 1, AT, null, "team-a_web.1", "/team-a/web", 3, 0, "node-1", "127.0.0.1",
                List.of(new PortAssignment("http", 31000)), DesiredState.RUN, TaskState.RUNNING, null, null,
                AT, AT, null),
                TaskRecord.class);
        assertRoundTrip(new TaskRecord("m2b", 1, AT, null, "team-a_web.2", "/team-a/web", 3, 1, "node-1",
                "127.0.0.1", List.of(), DesiredState.STOP, TaskState.UNHEALTHY, "HEALTH_CHECK_FAILED: HTTP 500",
                null, AT, AT, null, new HealthReport(0, 3, 3, "HTTP 500")), TaskRecord.class);
    }

    @Test
    void aTaskRecordWrittenBeforeHealthExistedIsReadWithoutHealth() {
        String json = JsonCodec.encode(new TaskRecord("m2c", 1, AT, null, "t.1", "/a", 1, 0, "node-1", "127.0.0.1",
                List.of(), DesiredState.RUN, TaskState.RUNNING, null, null, AT, AT, null))
                .replace(",\"health\":null", "");

        TaskRecord read = JsonCodec.decode(json, TaskRecord.class);

        assertFalse(json.contains("health"));
        assertNull(read.health());
        assertEquals(TaskState.RUNNING, read.state());
    }

    @Test
    void everyNodeCommandSurvivesTheCodecAsItsSealedType() {
        TaskSpec spec = new TaskSpec("sleep 1", null, Map.of("A", "1"), Map.of(), 0.1, 32, 0,
                List.of(new PortAssignment(null, 31001)));
        assertRoundTrip(new LaunchTask("m3", 1, AT, "c", "node-1", "t.1", "/a", 1, spec), NodeCommand.class);
        assertRoundTrip(new KillTask("m4", 1, AT, "c", "node-1", "t.1", 3, "app deleted"), NodeCommand.class);
        TaskSpec checked = new TaskSpec("sleep 1", null, Map.of(), Map.of(), 0.25, 64, 10,
                List.of(new PortAssignment("http", 31002)), "nobody",
                List.of(new HealthCheck(HealthCheck.Protocol.HTTP, "/health", 0, null, null, 5, 1, 1, 3, 0),
                        new HealthCheck(HealthCheck.Protocol.COMMAND, null, null, null,
                                new HealthCheck.Command("true"), 0, 2, 1, 0, 0)),
                new Isolation(Isolation.Network.NONE, 128, true));
        assertRoundTrip(new LaunchTask("m4b", 1, AT, "c", "node-1", "t.2", "/a", 2, checked), NodeCommand.class);
    }

    @Test
    void taskStatusAndNodeReportsSurviveTheCodec() {
        assertRoundTrip(new TaskStatus("m5", 1, AT, null, "t.1", "/a", "node-1", TaskState.FAILED, "exited with code 3",
                3), TaskStatus.class);
        assertRoundTrip(new TaskStatus("m5b", 1, AT, null, "t.1", "/a", "node-1", TaskState.UNHEALTHY,
                "HTTP 500", null, new HealthReport(0, 3, 3, "HTTP 500")), TaskStatus.class);
        NodeResources capacity = new NodeResources(2, 4096, 10240);
        assertRoundTrip(new NodeRegistered("m6", 1, AT, null, "node-1", "host1", "127.0.0.1", capacity,
                new PortRange(31000, 31999), Map.of("zone", "a"), "best-effort", "http://127.0.0.1:8090",
                List.of()), NodeReport.class);
        assertRoundTrip(new NodeHeartbeat("m7", 1, AT, null, "node-1", "host1", "127.0.0.1", capacity,
                new PortRange(31000, 31999), Map.of(), "best-effort", "http://127.0.0.1:8090", List.of("t.1")),
                NodeReport.class);
        assertRoundTrip(new NodeHeartbeat("m8", 1, AT, null, "node-1", "host1", "127.0.0.1", capacity,
                new PortRange(31000, 31999), Map.of(), "cgroups-v1", "http://127.0.0.1:8090", List.of("t.1"),
                Map.of("t.1", new TaskUsage(1.5, 1 << 20, 4096, false))), NodeReport.class);
    }

    @Test
    void aNewerWriterWithAnExtraFieldIsStillRead() {
        String json = JsonCodec.encode(DeleteApp.of("/x")).replace("{", "{\"addedLater\":42,");
        assertEquals("/x", JsonCodec.decode(json, AppCommand.class).appId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "{not json", "[1,2]", "{\"type\":\"Unheard\"}", "{\"id\":\"x\"}"})
    void anUnreadableMessageFailsWithAReason(String json) {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> JsonCodec.decode(json, AppCommand.class));
        assertTrue(e.getMessage().contains("AppCommand"), e.getMessage());
    }

    @Test
    void deeplyNestedInputIsRefusedNotFollowed() {
        String deep = "{\"id\":\"m\",\"type\":\"DeleteApp\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThrows(MalformedMessageException.class, () -> JsonCodec.decode(deep, AppCommand.class));
    }
}
