package dev.berth.gateway.volumes;

import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

class DeletionOutcomesTest {
    private final DeletionOutcomes outcomes = new DeletionOutcomes();

    @Test
    void aDeletedEventSettlesEveryDeleteOfThatVolumeWhoeverAsked() {
        var first = outcomes.await("v1", "cmd-1");
        var second = outcomes.await("v1", "cmd-2");

        VolumeEvent deleted = event(VolumeEvent.Kind.DELETED, "v1", VolumeState.DELETED, "cmd-other");
        outcomes.accept(deleted);

        assertSame(deleted, first.outcome().join());
        assertSame(deleted, second.outcome().join());
        assertEquals(0, outcomes.waiting());
    }

    @Test
    void aRefusalSettlesOnlyTheDeleteItAnswers() {
        var mine = outcomes.await("v1", "cmd-1");
        var theirs = outcomes.await("v1", "cmd-2");

        outcomes.accept(event(VolumeEvent.Kind.DELETE_REFUSED, "v1", VolumeState.ATTACHED, "cmd-2"));

        assertFalse(mine.outcome().isDone());
        assertEquals(VolumeEvent.Kind.DELETE_REFUSED, theirs.outcome().join().kind());
    }

    @Test
    void otherEventsAndOtherVolumesSettleNothing() {
        var waiter = outcomes.await("v1", "cmd-1");

        outcomes.accept(event(VolumeEvent.Kind.ATTACHING, "v1", VolumeState.ATTACHING, null));
        outcomes.accept(event(VolumeEvent.Kind.DELETED, "v2", VolumeState.DELETED, "cmd-1"));

        assertFalse(waiter.outcome().isDone());
        outcomes.forget(waiter);
        assertEquals(0, outcomes.waiting());
    }

    private static VolumeEvent event(VolumeEvent.Kind kind, String volumeId, VolumeState state, String correlationId) {
        VolumeSnapshot volume = new VolumeSnapshot(volumeId, "data", "/a/db", "db-0", VolumeType.LOCAL, "local", 1,
                "n1", state, null, null, 1, 1, Instant.now());
        return VolumeEvent.of(kind, volume, null, "because", correlationId);
    }
}
