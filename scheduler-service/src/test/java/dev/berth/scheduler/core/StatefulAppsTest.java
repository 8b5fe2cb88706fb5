package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.ExternalVolume;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.KillSelection;
import dev.berth.contracts.app.PersistentVolume;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.UnreachableStrategy;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.DestroyVolume;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stateful apps in the scheduler core: identities, the volume handshake, failover and release. */
class StatefulAppsTest {
    private static final String APP = "/team/db";
    private static final AppVolume LOCAL = new AppVolume("data", VolumeMode.RW, new PersistentVolume("root", 64), null);
    private static final AppVolume SHARED = new AppVolume("/var/lib/pg", VolumeMode.RW, null,
            new ExternalVolume("pgdata", 64, ExternalVolume.SHAREDFS, Map.of("uid", "70")));
    private static final List<String> BOTH = List.of("local", "sharedfs");

    private final Instant t0 = Instant.parse("2026-11-24T12:00:00Z");
    private final SchedulerCore core = newCore();
    private final VolumeServiceDouble service = new VolumeServiceDouble();

    // ---- identities ---------------------------------------------------------------------------------

    @Test
    void eachInstanceOfAStatefulAppGetsItsIdentityAndWaitsForItsVolumesBeforeItLaunches() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(db(2, LOCAL)), t0);

        List<TaskRecord> tasks = core.tasksOf(APP);
        assertEquals(List.of("db-0", "db-1"), tasks.stream().map(TaskRecord::identity).toList());
        assertEquals(List.of("team_db.db-0.data"), tasks.get(0).awaitingVolumes());
        assertEquals(TaskState.STAGING, tasks.get(0).state());
        assertEquals(List.of("team_db.db-0.data", "team_db.db-1.data"),
                volumeCommands(actions, AttachVolume.class).stream().map(AttachVolume::volumeId).toList());
        AttachVolume attach = volumeCommands(actions, AttachVolume.class).get(0);
        assertEquals(VolumeType.LOCAL, attach.type());
        assertEquals("node-1", attach.nodeId());
        assertEquals(tasks.get(0).taskId(), attach.taskId());
        assertTrue(nodeCommands(actions, LaunchTask.class).isEmpty());
    }

    @Test
    void anIdentityWaitsForANodeThatGivesItsOwnRootAndAllowsItsUserBeforeAnyVolumeIsAttached() {
        // Given a node with its own root that allows nobody but nobody, and one allowing postgres on the host's root
        core.onNodeReport(confined(node("node-1", t0, 3000, BOTH), NodeConfinement.OWN_ROOT, "nobody"), t0);
        core.onNodeReport(confined(node("node-2", t0, 3000, BOTH), NodeConfinement.HOST_ROOT, "nobody", "postgres"), t0);
        AppDefinition sealed = new AppDefinition(APP, "run", null, 1, 0.1, 16, 0, Map.of(), Map.of(), List.of(),
                null, List.of(), List.of(), null, 1, 1.15, 300, 3, KillSelection.YOUNGEST_FIRST, List.of(), "postgres",
                new Isolation(Isolation.Network.HOST, null, false, Isolation.Filesystem.REQUIRED), null)
                .withVolumes(List.of(SHARED));

        // When the app, which runs as postgres in a root of its own, is created
        List<Action> created = core.onAppCommand(CreateApp.of(sealed), t0);

        // Then its identity waits, each node saying why, and no volume is attached anywhere
        assertTrue(volumeCommands(created, AttachVolume.class).isEmpty());
        assertEquals(Map.of("user postgres not allowed", 1, "no own root file system for tasks", 1),
                queued(APP).unplaced());

        // When a node that gives both registers, Then the identity's volume is attached there
        List<Action> actions = core.onNodeReport(confined(node("node-3", t0, 3000, BOTH), NodeConfinement.OWN_ROOT,
                "nobody", "postgres"), t0.plusSeconds(1));
        assertEquals(List.of("node-3"), volumeCommands(actions, AttachVolume.class).stream()
                .map(AttachVolume::nodeId).toList());
    }

    @Test
    void aTaskLaunchesOnlyOnceEveryOneOfItsVolumesIsAttachedWithTheirEpochs() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        List<Action> placed = core.onAppCommand(CreateApp.of(db(1, LOCAL, SHARED)), t0);
        List<VolumeEvent> answers = service.answer(placed);
        assertEquals(2, answers.size());

        List<Action> first = core.onVolumeEvent(answers.get(0), t0);
        assertTrue(nodeCommands(first, LaunchTask.class).isEmpty());
        assertEquals(List.of("pgdata-0"), core.tasksOf(APP).get(0).awaitingVolumes());

        List<Action> second = core.onVolumeEvent(answers.get(1), t0);
        LaunchTask launch = nodeCommands(second, LaunchTask.class).get(0);
        assertEquals("node-1", launch.nodeId());
        List<VolumeMount> mounts = launch.spec().volumes();
        assertEquals(List.of("team_db.db-0.data", "pgdata-0"), mounts.stream().map(VolumeMount::volumeId).toList());
        assertTrue(mounts.stream().allMatch(m -> m.fencingEpoch() == 1));
        assertEquals("/var/lib/pg", mounts.get(1).containerPath());
        assertTrue(core.tasksOf(APP).get(0).awaitingVolumes().isEmpty());
        // A repeated ATTACHED launches nothing more.
        assertTrue(nodeCommands(core.onVolumeEvent(answers.get(1), t0), LaunchTask.class).isEmpty());
    }

    @Test
    void scalingDownStopsTheHighestIdentitiesWhateverTheKillSelectionAndReleasesTheirVolumesOnceEnded() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        AppDefinition oldestFirst = new AppDefinition(APP, "run", null, 3, 0.1, 16, 0, Map.of(), Map.of(), List.of(),
                null, List.of(), List.of(), null, 1, 1.15, 300, 3, KillSelection.OLDEST_FIRST, List.of(), null, null,
                null).withVolumes(List.of(LOCAL));
        runAll(settle(core.onAppCommand(CreateApp.of(oldestFirst), t0), t0));

        List<Action> scaled = core.onAppCommand(new ScaleApp("s1", 1, t0, null, APP, 1), t0);

        assertEquals(2, nodeCommands(scaled, KillTask.class).size());
        assertEquals(List.of("db-1", "db-2"), identitiesOf(nodeCommands(scaled, KillTask.class)));
        assertTrue(volumeCommands(scaled, ReleaseVolume.class).isEmpty());

        TaskRecord db2 = byIdentity("db-2");
        List<Action> ended = core.onTaskStatus(status(db2, TaskState.KILLED), t0);
        List<VolumeCommand> sent = volumeCommands(ended, VolumeCommand.class);
        assertEquals(2, sent.size());
        assertTrue(sent.get(0) instanceof DetachVolume d && d.volumeId().equals("team_db.db-2.data"));
        assertTrue(sent.get(1) instanceof ReleaseVolume r && r.volumeId().equals("team_db.db-2.data"));
    }

    @Test
    void scalingBackUpReattachesTheReleasedVolumesOfThoseIdentities() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(2, LOCAL)), t0), t0));
        settle(core.onAppCommand(new ScaleApp("s1", 1, t0, null, APP, 1), t0), t0);
        settle(core.onTaskStatus(status(byIdentity("db-1"), TaskState.KILLED), t0), t0);
        assertEquals(VolumeState.RELEASED, core.volume("team_db.db-1.data").orElseThrow().state());

        List<Action> up = settle(core.onAppCommand(new ScaleApp("s2", 1, t0, null, APP, 2), t0), t0);

        assertEquals(List.of("team_db.db-1.data"),
                volumeCommands(up, AttachVolume.class).stream().map(AttachVolume::volumeId).toList());
        assertEquals(1, nodeCommands(up, LaunchTask.class).size());
        assertEquals(VolumeState.ATTACHED, service.get("team_db.db-1.data").state());
    }

    // ---- placement ------------------------------------------------------------------------------------

    @Test
    void anIdentityWaitsWhileNoNodeOffersTheVolumeProviderItNeedsAndGoesToTheFirstThatDoes() {
        core.onNodeReport(node("node-1", t0, 3000, List.of("local")), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(db(1, SHARED)), t0);

        assertTrue(volumeCommands(actions, AttachVolume.class).isEmpty());
        assertEquals(Map.of("no node offers volume provider sharedfs", 1), queued(APP).unplaced());

        List<Action> joined = core.onNodeReport(node("node-2", t0, 3000, BOTH), t0.plusSeconds(1));
        assertEquals("node-2", volumeCommands(joined, AttachVolume.class).get(0).nodeId());
        assertTrue(core.queued(APP).isEmpty());
    }

    @Test
    void aNodeWithoutTheProviderIsPassedOverForOneThatHasIt() {
        core.onNodeReport(node("node-a", t0, 3000, List.of()), t0);
        core.onNodeReport(node("node-b", t0, 3000, BOTH), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(db(1, SHARED)), t0);

        assertEquals("node-b", volumeCommands(actions, AttachVolume.class).get(0).nodeId());
    }

    @Test
    void anIdentityWhoseTaskFailedReturnsToTheNodeItsLocalVolumeLivesOn() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, LOCAL)), t0), t0));
        core.onNodeReport(node("node-2", t0, 3000, BOTH), t0);
        TaskRecord first = byIdentity("db-0");

        List<Action> failed = core.onTaskStatus(status(first, TaskState.FAILED), t0);
        assertEquals(List.of(new VolumeCommandKey("DetachVolume", "team_db.db-0.data")), keys(failed));
        settle(failed, t0);
        List<Action> relaunched = settle(core.onTick(t0.plusSeconds(2)), t0.plusSeconds(2));

        TaskRecord second = byIdentity("db-0");
        assertEquals("node-1", second.nodeId());
        assertEquals("node-1", nodeCommands(relaunched, LaunchTask.class).get(0).nodeId());
        assertEquals(2, nodeCommands(relaunched, LaunchTask.class).get(0).spec().volumes().get(0).fencingEpoch());
    }

    @Test
    void aCrashedTaskWithAnExternalVolumeComesBackOnTheSameNodeWhenThatNodeIsFineAndHasRoom() {
        core.onNodeReport(node("node-2", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, SHARED)), t0), t0));
        // An empty node-1 joins: spreading alone would pick it (empty, and the lower id).
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);

        settle(core.onTaskStatus(status(byIdentity("db-0"), TaskState.FAILED), t0), t0);
        List<Action> relaunched = settle(core.onTick(t0.plusSeconds(2)), t0.plusSeconds(2));

        assertEquals("node-2", byIdentity("db-0").nodeId());
        LaunchTask launch = nodeCommands(relaunched, LaunchTask.class).get(0);
        assertEquals("node-2", launch.nodeId());
        assertEquals(List.of("pgdata-0"), launch.spec().volumes().stream().map(VolumeMount::volumeId).toList());
    }

    @Test
    void aCrashedTaskWithAnExternalVolumeGoesElsewhereWhenItsNodeHasNoRoomLeft() {
        core.onNodeReport(node("node-2", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, SHARED)), t0), t0));
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        settle(core.onTaskStatus(status(byIdentity("db-0"), TaskState.FAILED), t0), t0);

        // While it backs off, another app takes nearly all of node-2.
        AppDefinition big = AppDefinition.basic("/team/big", "run", null, 1, 3.95, 16, 0, Map.of(), Map.of(),
                List.of()).withPlacement(List.of(new Constraint("hostname", Constraint.Operator.CLUSTER, "node-2")),
                List.of(), null);
        core.onAppCommand(CreateApp.of(big), t0);
        List<Action> relaunched = settle(core.onTick(t0.plusSeconds(2)), t0.plusSeconds(2));

        assertEquals("node-1", byIdentity("db-0").nodeId());
        assertEquals("node-1", nodeCommands(relaunched, LaunchTask.class).get(0).nodeId());
        assertTrue(core.queued(APP).isEmpty());
    }

    @Test
    void aCrashedTaskWithAnExternalVolumeIsNotSentBackToItsNodeOnceThatNodeIsDraining() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, SHARED)), t0), t0));
        core.onNodeReport(node("node-2", t0, 3000, BOTH), t0);
        settle(core.onTaskStatus(status(byIdentity("db-0"), TaskState.FAILED), t0), t0);

        // Drained while the crashed identity backs off (a running one would be moved off by the drain).
        core.onNodeAdmin(DrainNode.of("node-1"), t0);
        List<Action> relaunched = settle(core.onTick(t0.plusSeconds(2)), t0.plusSeconds(2));

        assertEquals("node-2", nodeCommands(relaunched, LaunchTask.class).get(0).nodeId());
    }

    @Test
    void anIdentityWhoseLocalVolumesNodeIsLostWaitsForItAndItsVolumeIsLeftAlone() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        core.onNodeReport(node("node-2", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, LOCAL)), t0), t0));
        String home = byIdentity("db-0").nodeId();
        String other = home.equals("node-1") ? "node-2" : "node-1";

        core.onNodeReport(node(other, t0.plusSeconds(4), 3000, BOTH), t0.plusSeconds(4));
        List<Action> lost = core.onTick(t0.plusSeconds(6));

        assertTrue(core.tasksOf(APP).isEmpty());
        assertTrue(volumeCommands(lost, VolumeCommand.class).isEmpty());
        assertEquals(Map.of("waiting for node " + home + ", which holds its local volume", 1), queued(APP).unplaced());
        core.onNodeReport(node(other, t0.plusSeconds(60), 3000, BOTH), t0.plusSeconds(60));
        assertTrue(volumeCommands(core.onTick(t0.plusSeconds(60)), VolumeCommand.class).isEmpty());

        List<Action> back = settle(core.onNodeReport(node(home, t0.plusSeconds(61), 3000, BOTH), t0.plusSeconds(61)),
                t0.plusSeconds(61));
        assertEquals(home, nodeCommands(back, LaunchTask.class).get(0).nodeId());
    }

    // ---- the handshake ----------------------------------------------------------------------------------

    @Test
    void aRefusedAttachEndsTheTaskAsVolumeFailedAndTheAppBacksOff() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        List<Action> placed = core.onAppCommand(CreateApp.of(db(1, SHARED)), t0);
        TaskRecord task = byIdentity("db-0");
        VolumeSnapshot taken = new VolumeSnapshot("pgdata-0", "pgdata-0", "/other/db", "db-0", VolumeType.EXTERNAL,
                "sharedfs", 64, null, VolumeState.AVAILABLE, null, null, 4, 7, t0);
        assertEquals(1, volumeCommands(placed, AttachVolume.class).size());

        List<Action> refused = core.onVolumeEvent(VolumeEvent.of(VolumeEvent.Kind.ATTACH_REFUSED, taken, task.taskId(),
                "belongs to app /other/db", null), t0);

        TaskRecord failed = records(refused).stream().filter(r -> r.taskId().equals(task.taskId())).findFirst()
                .orElseThrow();
        assertEquals(TaskState.FAILED, failed.state());
        assertEquals("VOLUME_FAILED: volume pgdata-0: belongs to app /other/db", failed.reason());
        assertTrue(refused.contains(new Action.RemoveTask(task.taskId())));
        assertTrue(nodeCommands(refused, LaunchTask.class).isEmpty());
        AppQueue queue = queued(APP);
        assertEquals(t0.plusSeconds(1), queue.delayedUntil());
        assertEquals(Map.of(failed.reason(), 1), queue.unplaced());
        assertTrue(core.tasksOf(APP).isEmpty());
        // After the backoff it is tried again.
        assertEquals(1, volumeCommands(core.onTick(t0.plusSeconds(2)), AttachVolume.class).size());
    }

    @Test
    void aTaskThatEndsOnAHealthyNodeHasItsVolumesDetached() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, LOCAL, SHARED)), t0), t0));
        TaskRecord task = byIdentity("db-0");

        List<Action> ended = core.onTaskStatus(status(task, TaskState.FINISHED), t0);

        List<DetachVolume> detaches = volumeCommands(ended, DetachVolume.class);
        assertEquals(List.of("team_db.db-0.data", "pgdata-0"), detaches.stream().map(DetachVolume::volumeId).toList());
        assertTrue(detaches.stream().allMatch(d -> d.nodeId().equals("node-1") && d.taskId().equals(task.taskId())));
    }

    @Test
    void aStatefulTaskStoppedBeforeItsVolumesWereAttachedEndsAtOnceWithoutAKill() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        core.onAppCommand(CreateApp.of(db(1, LOCAL)), t0);

        List<Action> deleted = core.onAppCommand(DeleteApp.of(APP), t0);

        assertTrue(nodeCommands(deleted, KillTask.class).isEmpty());
        assertTrue(core.tasksOf(APP).isEmpty());
        assertTrue(core.app(APP).isEmpty());
        assertEquals("DetachVolume", keys(deleted).get(0).type());
    }

    // ---- failover of external volumes ---------------------------------------------------------------------

    @Test
    void anExternalVolumeOfALostNodeIsFencedBeforeItIsAttachedToTheReplacementOnAnotherNode() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, SHARED)), t0), t0));
        assertEquals("node-1", byIdentity("db-0").nodeId());
        core.onNodeReport(node("node-2", t0.plusSeconds(4), 3000, BOTH), t0.plusSeconds(4));

        List<Action> lost = core.onTick(t0.plusSeconds(5));

        assertEquals(List.of(new VolumeCommandKey("FenceVolume", "pgdata-0"),
                new VolumeCommandKey("AttachVolume", "pgdata-0")), keys(lost));
        assertEquals("node-1", volumeCommands(lost, FenceVolume.class).get(0).nodeId());
        assertEquals("node-2", volumeCommands(lost, AttachVolume.class).get(0).nodeId());
        List<Action> launched = settle(lost, t0.plusSeconds(5));
        LaunchTask launch = nodeCommands(launched, LaunchTask.class).get(0);
        assertEquals("node-2", launch.nodeId());
        // Attached once (1), fenced (2), attached to the replacement (3): the old holder is stale.
        assertEquals(3, launch.spec().volumes().get(0).fencingEpoch());
    }

    @Test
    void aNodeWhoseLeaseOutlastsTheNodeTimeoutHasItsVolumeFencedOnlyOnceTheLeaseIsSurelyOver() {
        core.onNodeReport(node("node-1", t0, 8000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, SHARED)), t0), t0));
        core.onNodeReport(node("node-2", t0.plusSeconds(4), 3000, BOTH), t0.plusSeconds(4));

        List<Action> lost = core.onTick(t0.plusSeconds(5));

        assertTrue(volumeCommands(lost, VolumeCommand.class).isEmpty());
        assertEquals(Map.of("waiting for the lease of lost node node-1 to run out", 1), queued(APP).unplaced());
        core.onNodeReport(node("node-2", t0.plusSeconds(8), 3000, BOTH), t0.plusSeconds(8));
        assertTrue(volumeCommands(core.onTick(t0.plusSeconds(8)), VolumeCommand.class).isEmpty());

        // Last heard at t0, lease 8 s, margin 1 s.
        core.onNodeReport(node("node-2", t0.plusSeconds(9), 3000, BOTH), t0.plusSeconds(9));
        List<Action> over = core.onTick(t0.plusSeconds(9));
        assertEquals(List.of(new VolumeCommandKey("FenceVolume", "pgdata-0"),
                new VolumeCommandKey("AttachVolume", "pgdata-0")), keys(over));
    }

    // ---- replacing an identity ---------------------------------------------------------------------------

    @Test
    void replaceInstanceReleasesTheIdentitysVolumesAndPlacesItAfreshWithNewOnes() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, LOCAL)), t0), t0));
        core.onNodeReport(node("node-2", t0.plusSeconds(4), 3000, BOTH), t0.plusSeconds(4));
        core.onTick(t0.plusSeconds(5));
        assertEquals(1, queued(APP).waiting());

        ReplaceInstance replace = ReplaceInstance.of(APP, "db-0", "node-1 burnt down");
        List<Action> actions = core.onAppCommand(replace, t0.plusSeconds(6));

        assertEquals(List.of(new VolumeCommandKey("AttachVolume", "team_db.db-0.data~1"),
                new VolumeCommandKey("ReleaseVolume", "team_db.db-0.data")), keysWithoutFences(actions));
        TaskRecord fresh = byIdentity("db-0");
        assertEquals("node-2", fresh.nodeId());
        assertTrue(fresh.reason().startsWith("REPLACED: identity db-0 given fresh volumes (generation 1)"),
                fresh.reason());
        assertTrue(fresh.reason().endsWith("node-1 burnt down"), fresh.reason());
        // The same command again replaces nothing more.
        assertTrue(volumeCommands(core.onAppCommand(replace, t0.plusSeconds(7)), VolumeCommand.class).isEmpty());
    }

    @Test
    void aReplacementIsRecordedOnTheAppsStateAndASecondOneGoesOnToTheNextGeneration() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(2, SHARED)), t0), t0));
        long version = core.app(APP).orElseThrow().version();

        List<Action> first = settle(core.onAppCommand(ReplaceInstance.of(APP, "db-1", "corrupt"), t0), t0);

        AppState replaced = core.app(APP).orElseThrow();
        assertEquals(1, replaced.generation("db-1"));
        assertEquals(0, replaced.generation("db-0"));
        assertEquals(version + 1, replaced.version());
        assertTrue(first.contains(new Action.RecordApp(replaced)));
        settle(core.onTaskStatus(status(byIdentity("db-1"), TaskState.KILLED), t0), t0);
        runAll(List.of());

        List<Action> second = settle(core.onAppCommand(ReplaceInstance.of(APP, "db-1", "again"), t0), t0);
        settle(core.onTaskStatus(status(byIdentity("db-1"), TaskState.KILLED), t0), t0);

        assertEquals(2, core.app(APP).orElseThrow().generation("db-1"));
        assertEquals("pgdata-1~2", byIdentity("db-1").volumes().get(0).volumeId());
        assertTrue(volumeCommands(second, ReleaseVolume.class).isEmpty());
        assertEquals(VolumeState.RELEASED, service.get("pgdata-1~1").state());
    }

    @Test
    void anIdentityWaitingForItsLostNodeIsReplacedAfterTheAppsReplaceAfterSeconds() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        AppDefinition def = db(1, LOCAL).withUnreachableStrategy(new UnreachableStrategy(60));
        runAll(settle(core.onAppCommand(CreateApp.of(def), t0), t0));
        core.onNodeReport(node("node-2", t0.plusSeconds(4), 3000, BOTH), t0.plusSeconds(4));
        core.onTick(t0.plusSeconds(5));

        core.onNodeReport(node("node-2", t0.plusSeconds(64), 3000, BOTH), t0.plusSeconds(64));
        assertTrue(volumeCommands(core.onTick(t0.plusSeconds(64)), VolumeCommand.class).isEmpty());
        core.onNodeReport(node("node-2", t0.plusSeconds(65), 3000, BOTH), t0.plusSeconds(65));
        List<Action> replaced = core.onTick(t0.plusSeconds(65));

        assertEquals("team_db.db-0.data~1", volumeCommands(replaced, AttachVolume.class).get(0).volumeId());
        assertEquals("node-2", byIdentity("db-0").nodeId());
        assertTrue(byIdentity("db-0").reason().contains("unreachable for more than 60 s"));
        assertTrue(volumeCommands(replaced, ReleaseVolume.class).stream()
                .anyMatch(r -> r.volumeId().equals("team_db.db-0.data")));
    }

    // ---- deleting ------------------------------------------------------------------------------------------

    @Test
    void deletingAStatefulAppReleasesItsVolumesOnceItsTasksEnded() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, LOCAL, SHARED)), t0), t0));

        List<Action> deleting = core.onAppCommand(DeleteApp.of(APP), t0);
        assertTrue(volumeCommands(deleting, VolumeCommand.class).isEmpty());
        List<Action> ended = core.onTaskStatus(status(byIdentity("db-0"), TaskState.KILLED), t0);

        assertEquals(List.of(new VolumeCommandKey("DetachVolume", "team_db.db-0.data"),
                new VolumeCommandKey("DetachVolume", "pgdata-0"),
                new VolumeCommandKey("ReleaseVolume", "pgdata-0"),
                new VolumeCommandKey("ReleaseVolume", "team_db.db-0.data")), keys(ended));
        assertTrue(ended.contains(new Action.RemoveApp(APP)));
        assertTrue(volumeCommands(ended, DeleteVolume.class).isEmpty());
    }

    @Test
    void deletingWithWipeReleasesThenDeletesEachVolumeAndALocalOnesNodeRemovesIt() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, LOCAL)), t0), t0));
        core.onAppCommand(DeleteApp.of(APP, true), t0);

        assertTrue(core.app(APP).orElseThrow().wipe());
        List<Action> ended = core.onTaskStatus(status(byIdentity("db-0"), TaskState.KILLED), t0);

        assertEquals(List.of(new VolumeCommandKey("DetachVolume", "team_db.db-0.data"),
                new VolumeCommandKey("ReleaseVolume", "team_db.db-0.data"),
                new VolumeCommandKey("DeleteVolume", "team_db.db-0.data")), keys(ended));
        List<Action> answered = settle(ended, t0);
        DestroyVolume destroy = nodeCommands(answered, DestroyVolume.class).get(0);
        assertEquals("node-1", destroy.nodeId());
        assertEquals("team_db.db-0.data", destroy.volumeId());
    }

    @Test
    void anAppDeletedWithWipeIsKeptUntilItsVolumeThatWaitsForALostNodesLeaseIsReleasedAndDeleted() {
        core.onNodeReport(node("node-1", t0, 8000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, SHARED)), t0), t0));
        core.onNodeReport(node("node-2", t0.plusSeconds(4), 3000, BOTH), t0.plusSeconds(4));
        core.onTick(t0.plusSeconds(5));

        List<Action> deleting = core.onAppCommand(DeleteApp.of(APP, true), t0.plusSeconds(6));

        assertTrue(volumeCommands(deleting, VolumeCommand.class).isEmpty());
        assertTrue(core.app(APP).orElseThrow().wipe());
        // Last heard at t0, lease 8 s, margin 1 s.
        core.onNodeReport(node("node-2", t0.plusSeconds(9), 3000, BOTH), t0.plusSeconds(9));
        List<Action> over = core.onTick(t0.plusSeconds(9));
        assertEquals(List.of(new VolumeCommandKey("FenceVolume", "pgdata-0"),
                new VolumeCommandKey("ReleaseVolume", "pgdata-0"),
                new VolumeCommandKey("DeleteVolume", "pgdata-0")), keys(over));
        assertTrue(over.contains(new Action.RemoveApp(APP)));
    }

    // ---- the volume view ----------------------------------------------------------------------------------

    @Test
    void anEventOlderThanTheVolumeTheSchedulerHoldsIsIgnored() {
        VolumeSnapshot v5 = new VolumeSnapshot("pgdata-0", "pgdata-0", APP, "db-0", VolumeType.EXTERNAL, "sharedfs",
                64, null, VolumeState.RELEASED, null, null, 3, 5, t0);
        VolumeSnapshot v3 = new VolumeSnapshot("pgdata-0", "pgdata-0", APP, "db-0", VolumeType.EXTERNAL, "sharedfs",
                64, null, VolumeState.ATTACHED, "node-1", "t-old", 2, 3, t0);
        core.onVolumeEvent(VolumeEvent.of(VolumeEvent.Kind.RELEASED, v5, null, null, null), t0);

        List<Action> late = core.onVolumeEvent(VolumeEvent.of(VolumeEvent.Kind.ATTACHED, v3, "t-old", null, null), t0);

        assertTrue(late.isEmpty());
        assertEquals(5, core.volume("pgdata-0").orElseThrow().version());
        assertEquals(VolumeState.RELEASED, core.volume("pgdata-0").orElseThrow().state());
    }

    @Test
    void aRestartOfAStatefulAppTakesOneIdentityDownAtATimeOnItsOwnVolumes() {
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(2, LOCAL)), t0), t0));

        List<Action> restart = core.onAppCommand(RestartApp.of(APP), t0);

        assertEquals(List.of("db-0"), identitiesOf(nodeCommands(restart, KillTask.class)));
        List<Action> ended = settle(core.onTaskStatus(status(byIdentity("db-0"), TaskState.KILLED), t0), t0);
        assertEquals(List.of("team_db.db-0.data"), nodeCommands(ended, LaunchTask.class).get(0).spec().volumes()
                .stream().map(VolumeMount::volumeId).toList());
        assertTrue(nodeCommands(ended, KillTask.class).isEmpty());
        assertEquals(DesiredState.RUN, byIdentity("db-1").desired(), "db-1 waits while db-0 is not up again");
        runAll(List.of());
        core.onTick(t0.plusSeconds(1));
        // The next identity goes as soon as the first one runs again (the deployment moves on its status).
        assertEquals(DesiredState.STOP, byIdentity("db-1").desired());
    }

    // ---- drains -------------------------------------------------------------------------------------------

    @Test
    void aDrainMovesIdentitiesWithExternalVolumesStopFirstOneAtATimeAndBringsThemUpElsewhere() {
        // Given two identities with external volumes on node-1, and an empty node-2
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(2, SHARED)), t0), t0));
        core.onNodeReport(node("node-2", t0, 3000, BOTH), t0);

        // When node-1 is drained
        List<Action> drained = core.onNodeAdmin(DrainNode.of("node-1"), t0);

        // Then one identity is stopped first, and nothing is started beside it on its volume
        List<KillTask> kills = nodeCommands(drained, KillTask.class);
        assertEquals(1, kills.size());
        assertEquals("node-1", kills.get(0).nodeId());
        assertEquals("moving off draining node node-1", kills.get(0).reason());
        assertTrue(nodeCommands(drained, LaunchTask.class).isEmpty());
        assertTrue(volumeCommands(drained, AttachVolume.class).isEmpty());
        TaskRecord moving = core.tasks().stream().filter(t -> t.taskId().equals(kills.get(0).taskId())).findFirst()
                .orElseThrow();

        // When it has ended, its volume is detached, then attached on node-2, where it launches
        List<Action> ended = settle(core.onTaskStatus(status(moving, TaskState.KILLED), t0), t0);
        String volume = moving.volumes().get(0).volumeId();
        assertEquals(List.of(new VolumeCommandKey("DetachVolume", volume), new VolumeCommandKey("AttachVolume", volume)),
                keys(ended));
        assertEquals("node-2", nodeCommands(ended, LaunchTask.class).get(0).nodeId());
        assertTrue(nodeCommands(core.onTick(t0.plusSeconds(1)), KillTask.class).isEmpty(), "one move at a time");

        // When it runs there, the next identity moves the same way
        runAll(List.of());
        List<Action> next = core.onTick(t0.plusSeconds(2));
        List<KillTask> secondKills = nodeCommands(next, KillTask.class);
        assertEquals(1, secondKills.size());
        assertTrue(!secondKills.get(0).taskId().equals(moving.taskId()));
        TaskRecord second = core.tasks().stream().filter(t -> t.taskId().equals(secondKills.get(0).taskId()))
                .findFirst().orElseThrow();
        settle(core.onTaskStatus(status(second, TaskState.KILLED), t0.plusSeconds(2)), t0.plusSeconds(2));
        runAll(List.of());
        assertTrue(core.tasksOf(APP).stream().allMatch(t -> t.nodeId().equals("node-2") && t.state().isActive()));
        assertTrue(core.queued(APP).isEmpty());
    }

    @Test
    void aDrainLeavesAnIdentityWithALocalVolumeWhereItIsSaysWhyAndMovesEverythingElse() {
        // Given an identity with a local volume and a stateless task on node-1, and an empty node-2
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(1, LOCAL)), t0), t0));
        AppDefinition web = AppDefinition.basic("/team/web", "run", null, 1, 0.1, 16, 0, Map.of(), Map.of(), List.of());
        core.onAppCommand(CreateApp.of(web), t0);
        TaskRecord webTask = core.tasksOf("/team/web").get(0);
        core.onTaskStatus(status(webTask, TaskState.RUNNING), t0);
        core.onNodeReport(node("node-2", t0, 3000, BOTH), t0);
        TaskRecord db0 = byIdentity("db-0");

        // When node-1 is drained
        List<Action> drained = core.onNodeAdmin(DrainNode.of("node-1"), t0);
        core.onTick(t0.plusSeconds(1));

        // Then the stateless task gets its replacement on node-2, and the identity stays, with the reason
        assertEquals("node-2", nodeCommands(drained, LaunchTask.class).get(0).nodeId());
        assertTrue(nodeCommands(drained, KillTask.class).isEmpty());
        String why = "holds a local volume on draining node node-1: replace the instance "
                + "(POST /v1/apps/team/db/instances/db-0/replace) or delete the app to move it";
        assertEquals(Map.of(why, 1), queued(APP).unplaced());
        assertEquals(1, queued(APP).waiting());

        // When the replacement runs, the stateless original is stopped; the identity still runs on node-1
        TaskRecord replacement = core.tasksOf("/team/web").stream().filter(t -> t.replaces() != null).findFirst()
                .orElseThrow();
        List<Action> tookOver = core.onTaskStatus(status(replacement, TaskState.RUNNING), t0.plusSeconds(2));
        assertEquals(List.of(webTask.taskId()), nodeCommands(tookOver, KillTask.class).stream()
                .map(KillTask::taskId).toList());
        assertTrue(nodeCommands(core.onTick(t0.plusSeconds(3)), KillTask.class).isEmpty());
        assertEquals(db0.taskId(), byIdentity("db-0").taskId());
        assertEquals("node-1", byIdentity("db-0").nodeId());
        assertEquals(Map.of(why, 1), queued(APP).unplaced());

        // And once the node is undrained the reason goes
        core.onNodeAdmin(UndrainNode.of("node-1"), t0.plusSeconds(3));
        core.onTick(t0.plusSeconds(4));
        assertTrue(core.queued(APP).isEmpty());
    }

    @Test
    void anUndrainDuringAStopFirstMoveBringsTheIdentityBackOnItsOwnNodeAndMovesNothingMore() {
        // Given two identities with external volumes on node-1, and node-2 beside it
        core.onNodeReport(node("node-1", t0, 3000, BOTH), t0);
        runAll(settle(core.onAppCommand(CreateApp.of(db(2, SHARED)), t0), t0));
        core.onNodeReport(node("node-2", t0, 3000, BOTH), t0);
        KillTask kill = nodeCommands(core.onNodeAdmin(DrainNode.of("node-1"), t0), KillTask.class).get(0);
        TaskRecord moving = core.tasks().stream().filter(t -> t.taskId().equals(kill.taskId())).findFirst()
                .orElseThrow();

        // When the node is undrained while the stopped task is still ending
        core.onNodeAdmin(UndrainNode.of("node-1"), t0.plusSeconds(1));
        List<Action> ended = settle(core.onTaskStatus(status(moving, TaskState.KILLED), t0.plusSeconds(1)),
                t0.plusSeconds(1));

        // Then its identity comes back on node-1 (the node it ran on, open again), and nothing else is stopped
        assertEquals("node-1", nodeCommands(ended, LaunchTask.class).get(0).nodeId());
        runAll(List.of());
        assertTrue(nodeCommands(core.onTick(t0.plusSeconds(2)), KillTask.class).isEmpty());
        assertTrue(core.tasksOf(APP).stream().allMatch(t -> t.nodeId().equals("node-1") && t.state().isActive()));
        assertTrue(core.queued(APP).isEmpty());
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static SchedulerCore newCore() {
        return new SchedulerCore(SchedulerSettings.defaults(), new PlacementEngine(PlacementStrategy.SPREAD));
    }

    /** Feeds the volume service's answers back until it is asked nothing more; every action, in order. */
    private List<Action> settle(List<Action> actions, Instant now) {
        return service.settle(core, actions, now);
    }

    /** Every launched task of the app reports RUNNING. */
    private void runAll(List<Action> ignored) {
        for (TaskRecord task : core.tasksOf(APP)) {
            if (task.awaitingVolumes().isEmpty() && !task.state().isActive()) {
                core.onTaskStatus(status(task, TaskState.RUNNING), t0);
            }
        }
    }

    private TaskRecord byIdentity(String identity) {
        return core.tasksOf(APP).stream().filter(t -> identity.equals(t.identity())).reduce((a, b) -> b)
                .orElseThrow();
    }

    private List<String> identitiesOf(List<KillTask> kills) {
        return kills.stream().map(k -> core.tasks().stream().filter(t -> t.taskId().equals(k.taskId())).findFirst()
                .orElseThrow().identity()).sorted().toList();
    }

    private AppQueue queued(String appId) {
        return core.queued(appId).orElseThrow();
    }

    private static AppDefinition db(int instances, AppVolume... volumes) {
        return AppDefinition.basic(APP, "run", null, instances, 0.1, 16, 0, Map.of(), Map.of(), List.of())
                .withVolumes(List.of(volumes));
    }

    private static NodeHeartbeat node(String id, Instant at, long leaseMillis, List<String> providers,
                                      String... running) {
        return new NodeHeartbeat("hb-" + UUID.randomUUID(), 1, at, null, id, id, "127.0.0.1",
                new NodeResources(4, 4096, 10000), new PortRange(31000, 31999), Map.of(), "cgroups-v2",
                "http://127.0.0.1:1", List.of(running), Map.of(), new NodeVolumes(providers, leaseMillis));
    }

    /** The same report, from an agent that confines tasks so: {@code users[0]} is its default user. */
    private static NodeHeartbeat confined(NodeHeartbeat report, String filesystem, String... users) {
        return new NodeHeartbeat(report.id(), report.schemaVersion(), report.occurredAt(), null, report.nodeId(),
                report.hostname(), report.host(), report.capacity(), report.ports(), report.attributes(),
                report.isolation(), report.agentUrl(), report.runningTaskIds(), report.usage(), report.volumes(),
                new NodeConfinement(filesystem, users[0], List.of(users)));
    }

    private TaskStatus status(TaskRecord task, TaskState state) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, t0, null, task.taskId(), task.appId(), task.nodeId(),
                state, null, null);
    }

    /** A volume command's type and volume, enough to check order. */
    record VolumeCommandKey(String type, String volumeId) {
    }

    private static List<VolumeCommandKey> keys(List<Action> actions) {
        return volumeCommands(actions, VolumeCommand.class).stream()
                .map(c -> new VolumeCommandKey(c.getClass().getSimpleName(), c.volumeId())).toList();
    }

    private static List<VolumeCommandKey> keysWithoutFences(List<Action> actions) {
        return keys(actions).stream().filter(k -> !k.type().equals("FenceVolume")).toList();
    }

    private static List<TaskRecord> records(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.RecordTask).map(a -> ((Action.RecordTask) a).task())
                .toList();
    }

    private static <T> List<T> volumeCommands(List<Action> actions, Class<T> type) {
        return actions.stream().filter(a -> a instanceof Action.SendToVolumes)
                .map(a -> ((Action.SendToVolumes) a).command()).filter(type::isInstance).map(type::cast).toList();
    }

    private static <T> List<T> nodeCommands(List<Action> actions, Class<T> type) {
        return actions.stream().filter(a -> a instanceof Action.SendToNode).map(a -> ((Action.SendToNode) a).command())
                .filter(type::isInstance).map(type::cast).toList();
    }
}
