package dev.berth.contracts;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.DestroyVolume;
import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VolumeMessagesTest {
    private static final Instant AT = Instant.parse("2026-11-25T10:15:30.123Z");

    private static <T> void assertRoundTrip(T message, Class<? super T> as) {
        String json = JsonCodec.encode(message);
        assertEquals(message, JsonCodec.decode(json, as), json);
    }

    @Test
    void everyVolumeCommandSurvivesTheCodecAsItsSealedType() {
        assertRoundTrip(AttachVolume.of("pgdata-0", "pgdata-0", "/db", "db-0", VolumeType.EXTERNAL, "sharedfs", 512,
                Map.of("uid", "999"), "node-a", "db.task1", "c1"), VolumeCommand.class);
        assertRoundTrip(DetachVolume.of("pgdata-0", "node-a", "db.task1", null), VolumeCommand.class);
        assertRoundTrip(FenceVolume.of("pgdata-0", "node-a", "node lost", null), VolumeCommand.class);
        assertRoundTrip(ReleaseVolume.of("pgdata-0", "scaled down", null), VolumeCommand.class);
        assertRoundTrip(DeleteVolume.of("pgdata-0", "wipe", null), VolumeCommand.class);
    }

    @Test
    void volumeEventsCarryTheWholeVolume() {
        VolumeSnapshot snapshot = new VolumeSnapshot("db.db-0.data", "data", "/db", "db-0", VolumeType.LOCAL, "local",
                64, "node-a", VolumeState.ATTACHED, "node-a", "db.task1", 3, 7, AT);
        VolumeEvent event = VolumeEvent.of(VolumeEvent.Kind.ATTACHED, snapshot, "db.task1", null, "c1");
        assertRoundTrip(event, VolumeEvent.class);
        assertEquals("db.db-0.data", event.volumeId());
        assertFalse(JsonCodec.encode(event).contains("\"volumeId\":\"db.db-0.data\",\"kind\""),
                "the id is the snapshot's, not written twice");
    }

    @Test
    void destroyVolumeIsANodeCommandAboutNoTask() {
        DestroyVolume destroy = DestroyVolume.of("node-a", "db.db-0.data", null);
        assertRoundTrip(destroy, NodeCommand.class);
        assertEquals(null, destroy.taskId());
    }

    @Test
    void tasksCarryTheirIdentityMountsAndWhatTheyStillAwait() {
        VolumeMount mount = new VolumeMount("pgdata-0", VolumeType.EXTERNAL, "sharedfs", "/var/lib/pg", false, 512, 0);
        TaskRecord staged = TaskRecord.launchedWithVolumes("c", "db.t1", "/db", 1, 0, "db-0", "node-a", "h", List.of(),
                AT, null, List.of(mount));
        assertEquals(List.of("pgdata-0"), staged.awaitingVolumes());
        assertRoundTrip(staged, TaskRecord.class);

        TaskRecord attached = staged.volumeAttached("pgdata-0", 4, "e1", AT);
        assertTrue(attached.awaitingVolumes().isEmpty());
        assertEquals(4, attached.volumes().get(0).fencingEpoch());
        assertEquals("db-0", attached.observed(dev.berth.contracts.messages.TaskState.RUNNING, null, null, "s", AT)
                .identity(), "later states keep the identity");

        TaskSpec spec = new TaskSpec("x", null, null, null, 1, 64, 0, List.of(), null, List.of(), null,
                attached.volumes());
        assertRoundTrip(LaunchTask.of("node-a", "db.t1", "/db", 1, spec, null), NodeCommand.class);
    }

    @Test
    void olderTaskRecordsWithoutVolumesStillRead() {
        String old = "{\"id\":\"m\",\"schemaVersion\":1,\"taskId\":\"t\",\"appId\":\"/a\",\"appVersion\":1,"
                + "\"instance\":0,\"nodeId\":\"n\",\"desired\":\"RUN\",\"state\":\"RUNNING\"}";
        TaskRecord record = JsonCodec.decode(old, TaskRecord.class);
        assertTrue(record.volumes().isEmpty());
        assertTrue(record.awaitingVolumes().isEmpty());
        assertEquals(null, record.identity());
    }

    @Test
    void nodesReportTheirVolumeOfferAndOldReportsHaveNone() {
        NodeHeartbeat beat = new NodeHeartbeat("m", 1, AT, null, "node-a", "h", "127.0.0.1", new NodeResources(1, 1, 1),
                new PortRange(1, 2), Map.of(), "cgroups-v1", null, List.of(), Map.of(),
                new NodeVolumes(List.of("local", "sharedfs"), 3000));
        assertRoundTrip(beat, NodeReport.class);
        String old = JsonCodec.encode(new NodeHeartbeat("m", 1, AT, null, "node-a", "h", "127.0.0.1",
                new NodeResources(1, 1, 1), new PortRange(1, 2), Map.of(), "cgroups-v1", null, List.of()))
                .replace(",\"volumes\":{\"providers\":[],\"leaseMillis\":0}", "");
        assertEquals(NodeVolumes.NONE, ((NodeReport) JsonCodec.decode(old, NodeReport.class)).volumes());
    }

    @Test
    void appStatesKeepAWipeAndTheGenerationsOfReplacedIdentities() {
        AppDefinition db = ((ParsedApp.Valid) AppDefinitionParser.parse(
                "{\"id\":\"/db\",\"cmd\":\"x\",\"container\":{\"volumes\":[{\"containerPath\":\"data\","
                        + "\"persistent\":{\"size\":64}}]}}")).app();
        AppState state = AppState.of(db, 1, false, null).replacing("db-1", "c1").replacing("db-1", "c2");
        assertEquals(2, state.generation("db-1"));
        assertEquals(0, state.generation("db-0"));
        AppState wiping = state.deleted(true, "c3");
        assertTrue(wiping.deleting() && wiping.wipe());
        assertEquals(2, wiping.generation("db-1"), "a delete keeps the generations");
        assertRoundTrip(wiping, AppState.class);
        String old = "{\"id\":\"m\",\"schemaVersion\":1,\"appId\":\"/db\",\"version\":1,\"deleting\":true}";
        AppState read = JsonCodec.decode(old, AppState.class);
        assertFalse(read.wipe());
        assertEquals(0, read.generation("db-0"));
    }

    @Test
    void appCommandsForStatefulApps() {
        assertRoundTrip(DeleteApp.of("/db", true), AppCommand.class);
        assertTrue(((DeleteApp) JsonCodec.decode(JsonCodec.encode(DeleteApp.of("/db", true)), AppCommand.class)).wipe());
        String withoutWipe = "{\"type\":\"DeleteApp\",\"id\":\"m\",\"schemaVersion\":1,\"appId\":\"/db\"}";
        assertFalse(((DeleteApp) JsonCodec.decode(withoutWipe, AppCommand.class)).wipe(), "an old delete wipes nothing");
        assertRoundTrip(ReplaceInstance.of("/db", "db-1", "node gone"), AppCommand.class);
        AppDefinition db = ((ParsedApp.Valid) AppDefinitionParser.parse("""
                {"id":"/db","cmd":"x","container":{"volumes":[{"containerPath":"data","persistent":{"size":64}}]}}
                """)).app();
        assertRoundTrip(CreateApp.of(db), AppCommand.class);
    }
}
