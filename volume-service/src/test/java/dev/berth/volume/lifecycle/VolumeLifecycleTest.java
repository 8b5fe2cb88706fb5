package dev.berth.volume.lifecycle;

import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.VolumeEvent.Kind;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.volume.lifecycle.Decision.Answer;
import dev.berth.volume.lifecycle.Decision.Change;
import dev.berth.volume.lifecycle.Decision.FollowUp;
import dev.berth.volume.lifecycle.Decision.Unchanged;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state machine alone: no store, no broker. */
class VolumeLifecycleTest {
    private static final String APP = "/team/db";

    @Test
    void aFirstAttachCreatesTheVolumeAndGrantsItWithEpochOne() {
        Change change = assertInstanceOf(Change.class, VolumeLifecycle.decide(null, external("node-1", "t1")));

        assertEquals(List.of(Kind.CREATED, Kind.ATTACHING), change.steps().stream().map(Decision.Step::kind).toList());
        assertEquals(VolumeState.AVAILABLE, change.steps().get(0).after().state());
        VolumeSnapshot granted = change.last();
        assertEquals(VolumeState.ATTACHING, granted.state());
        assertEquals("node-1", granted.attachedNodeId());
        assertEquals("t1", granted.attachedTaskId());
        assertEquals(1, granted.fencingEpoch());
        assertEquals("sharedfs", granted.provider());
        assertNull(granted.nodeId());
        assertEquals(FollowUp.PROVISION, change.followUp());
    }

    @Test
    void provisioningMakesThePendingGrantAttachedAndALateResultOfAnOlderGrantChangesNothing() {
        VolumeSnapshot granted = state(VolumeState.ATTACHING, "node-1", "t1", 4);

        Change change = assertInstanceOf(Change.class, VolumeLifecycle.provisioned(granted, 4));
        assertEquals(VolumeState.ATTACHED, change.last().state());
        assertEquals(4, change.last().fencingEpoch());
        assertInstanceOf(Unchanged.class, VolumeLifecycle.provisioned(granted, 3));
        assertInstanceOf(Unchanged.class, VolumeLifecycle.provisioned(state(VolumeState.FENCED, null, null, 5), 4));
    }

    @Test
    void theSameAttachForTheSameNodeAndTaskIsAnsweredAttachedAgainUnchanged() {
        Answer answer = assertInstanceOf(Answer.class, VolumeLifecycle.decide(
                state(VolumeState.ATTACHED, "node-1", "t1", 1), external("node-1", "t1")));

        assertEquals(Kind.ATTACHED, answer.kind());
        assertEquals("t1", answer.taskId());
    }

    @Test
    void aSecondNodeIsRefusedWhileTheVolumeIsHeld() {
        for (VolumeState held : List.of(VolumeState.ATTACHED, VolumeState.ATTACHING, VolumeState.DETACHING)) {
            Answer answer = assertInstanceOf(Answer.class, VolumeLifecycle.decide(
                    state(held, "node-1", "t1", 1), external("node-2", "t2")));

            assertEquals(Kind.ATTACH_REFUSED, answer.kind());
            assertTrue(answer.reason().contains("node-1"), answer.reason());
        }
    }

    @Test
    void aRelaunchOnTheSameNodeIsGrantedAgainWithAHigherEpoch() {
        Change change = assertInstanceOf(Change.class, VolumeLifecycle.decide(
                state(VolumeState.ATTACHED, "node-1", "t1", 1), external("node-1", "t2")));

        assertEquals("t2", change.last().attachedTaskId());
        assertEquals(2, change.last().fencingEpoch());
    }

    @Test
    void fencingVoidsOnlyTheNamedNodesHoldAndRaisesTheEpoch() {
        VolumeSnapshot attached = state(VolumeState.ATTACHED, "node-1", "t1", 1);

        Change fenced = assertInstanceOf(Change.class,
                VolumeLifecycle.decide(attached, FenceVolume.of("pgdata-0", "node-1", "node lost", null)));
        assertEquals(VolumeState.FENCED, fenced.last().state());
        assertEquals(2, fenced.last().fencingEpoch());
        assertNull(fenced.last().attachedNodeId());
        assertEquals("node lost", fenced.steps().get(0).reason());
        assertInstanceOf(Unchanged.class,
                VolumeLifecycle.decide(attached, FenceVolume.of("pgdata-0", "node-2", "node lost", null)));
    }

    @Test
    void aFencedVolumeGoesToAnotherNodeWithTheNextEpoch() {
        Change change = assertInstanceOf(Change.class, VolumeLifecycle.decide(
                state(VolumeState.FENCED, null, null, 2), external("node-2", "t2")));

        assertEquals("node-2", change.last().attachedNodeId());
        assertEquals(3, change.last().fencingEpoch());
    }

    @Test
    void aLocalVolumeIsBoundToItsNodeForLife() {
        Change created = assertInstanceOf(Change.class, VolumeLifecycle.decide(null, local("node-1", "t1")));
        assertEquals("node-1", created.last().nodeId());
        assertEquals("local", created.last().provider());

        VolumeSnapshot fenced = new VolumeSnapshot("pgdata-0", "data", APP, "db-0", VolumeType.LOCAL, "local", 64,
                "node-1", VolumeState.FENCED, null, null, 2, 3, null);
        Answer answer = assertInstanceOf(Answer.class, VolumeLifecycle.decide(fenced, local("node-2", "t2")));
        assertEquals(Kind.ATTACH_REFUSED, answer.kind());
        assertTrue(answer.reason().contains("lives on node node-1"), answer.reason());
    }

    @Test
    void aVolumeOfAnotherIdentityOrADeletedOneIsRefused() {
        AttachVolume otherIdentity = AttachVolume.of("pgdata-0", "pgdata-0", APP, "db-1", VolumeType.EXTERNAL,
                "sharedfs", 64, Map.of(), "node-1", "t1", null);
        Answer other = assertInstanceOf(Answer.class,
                VolumeLifecycle.decide(state(VolumeState.AVAILABLE, null, null, 1), otherIdentity));
        assertTrue(other.reason().contains("belongs to identity db-0"), other.reason());

        Answer deleted = assertInstanceOf(Answer.class,
                VolumeLifecycle.decide(state(VolumeState.DELETED, null, null, 1), external("node-1", "t1")));
        assertEquals(Kind.ATTACH_REFUSED, deleted.kind());
    }

    @Test
    void onlyTheHoldingTaskDetachesAndTheVolumeIsAvailableAfterwards() {
        VolumeSnapshot attached = state(VolumeState.ATTACHED, "node-1", "t1", 1);

        Change change = assertInstanceOf(Change.class,
                VolumeLifecycle.decide(attached, DetachVolume.of("pgdata-0", "node-1", "t1", null)));
        assertEquals(List.of(VolumeState.DETACHING, VolumeState.AVAILABLE),
                change.steps().stream().map(step -> step.after().state()).toList());
        assertEquals(List.of(false, true), change.steps().stream().map(Decision.Step::announced).toList());
        assertNull(change.last().attachedTaskId());
        assertInstanceOf(Unchanged.class,
                VolumeLifecycle.decide(attached, DetachVolume.of("pgdata-0", "node-1", "t0", null)));
    }

    @Test
    void onlyAReleasedVolumeIsDeleted() {
        Answer refused = assertInstanceOf(Answer.class, VolumeLifecycle.decide(
                state(VolumeState.ATTACHED, "node-1", "t1", 1), DeleteVolume.of("pgdata-0", "wipe", null)));
        assertEquals(Kind.DELETE_REFUSED, refused.kind());
        assertEquals("volume pgdata-0 is ATTACHED to node node-1; only a released volume can be deleted",
                refused.reason());

        Change released = assertInstanceOf(Change.class, VolumeLifecycle.decide(
                state(VolumeState.ATTACHED, "node-1", "t1", 1), ReleaseVolume.of("pgdata-0", "scaled down", null)));
        assertEquals(VolumeState.RELEASED, released.last().state());

        Change deleted = assertInstanceOf(Change.class,
                VolumeLifecycle.decide(released.last(), DeleteVolume.of("pgdata-0", "wipe", null)));
        assertEquals(VolumeState.DELETED, deleted.last().state());
        assertEquals(FollowUp.DESTROY, deleted.followUp());
        assertInstanceOf(Unchanged.class, VolumeLifecycle.decide(null, DeleteVolume.of("nope", "wipe", null)));
    }

    private static AttachVolume external(String node, String task) {
        return AttachVolume.of("pgdata-0", "pgdata-0", APP, "db-0", VolumeType.EXTERNAL, null, 64, Map.of(), node,
                task, null);
    }

    private static AttachVolume local(String node, String task) {
        return AttachVolume.of("pgdata-0", "data", APP, "db-0", VolumeType.LOCAL, null, 64, Map.of(), node, task,
                null);
    }

    private static VolumeSnapshot state(VolumeState state, String node, String task, long epoch) {
        return new VolumeSnapshot("pgdata-0", "pgdata-0", APP, "db-0", VolumeType.EXTERNAL, "sharedfs", 64, null,
                state, node, task, epoch, 3, null);
    }
}
