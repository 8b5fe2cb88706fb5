package dev.berth.scheduler.leader;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.berth.scheduler.leader.Leadership.Change.DEPOSED;
import static dev.berth.scheduler.leader.Leadership.Change.ELECTED;
import static dev.berth.scheduler.leader.Leadership.Change.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeadershipTest {

    @Test
    void aMemberAssignedPartitionZeroIsElected() {
        Leadership leadership = new Leadership();

        assertEquals(ELECTED, leadership.assigned(List.of(0)));

        assertTrue(leadership.leader());
        assertTrue(leadership.joined());
        assertEquals(1, leadership.term());
    }

    @Test
    void aMemberAssignedNothingIsAStandbyThatKnowsItsRole() {
        Leadership leadership = new Leadership();

        assertEquals(NONE, leadership.assigned(List.of()));

        assertFalse(leadership.leader());
        assertTrue(leadership.joined());
        assertEquals(0, leadership.term());
    }

    @Test
    void anIncrementalAssignmentThatAddsNothingKeepsTheLeaderInItsTerm() {
        // Given a leader; a standby joins and the cooperative assignor gives the leader nothing new
        Leadership leadership = new Leadership();
        leadership.assigned(List.of(0));

        assertEquals(NONE, leadership.assigned(List.of()));

        assertTrue(leadership.leads(1));
    }

    @Test
    void anOrderlyRevocationDeposesTheLeader() {
        Leadership leadership = new Leadership();
        leadership.assigned(List.of(0));

        assertEquals(DEPOSED, leadership.revoked(List.of(0)));

        assertFalse(leadership.leader());
        assertFalse(leadership.leads(1));
        assertTrue(leadership.joined());
    }

    @Test
    void aLostMembershipDeposesTheLeaderAndLeavesItWithoutARoleUntilItRejoins() {
        Leadership leadership = new Leadership();
        leadership.assigned(List.of(0));

        assertEquals(DEPOSED, leadership.lost(List.of(0)));

        assertFalse(leadership.leader());
        assertFalse(leadership.joined());
    }

    @Test
    void revokingOrLosingOtherPartitionsChangesNothing() {
        // A leader topic created with more partitions by mistake: only partition 0 elects
        Leadership leadership = new Leadership();
        leadership.assigned(List.of(0, 1));

        assertEquals(NONE, leadership.revoked(List.of(1)));
        assertEquals(NONE, leadership.lost(List.of(2)));

        assertTrue(leadership.leader());
    }

    @Test
    void aStandbyThatIsRevokedNothingStaysAStandby() {
        Leadership leadership = new Leadership();
        leadership.assigned(List.of());

        assertEquals(NONE, leadership.revoked(List.of()));
        assertEquals(NONE, leadership.left());
    }

    @Test
    void leavingTheGroupDeposesALeader() {
        Leadership leadership = new Leadership();
        leadership.assigned(List.of(0));

        assertEquals(DEPOSED, leadership.left());

        assertFalse(leadership.leader());
        assertFalse(leadership.joined());
    }

    @Test
    void aLeaderElectedAgainGetsANewTermSoWorkOfTheOldTermStops() {
        // Given a leader in term 1 that loses its membership and is elected again
        Leadership leadership = new Leadership();
        leadership.assigned(List.of(0));
        leadership.lost(List.of(0));

        assertEquals(ELECTED, leadership.assigned(List.of(0)));

        // Then it leads in term 2 only: a session begun in term 1 must not carry on
        assertEquals(2, leadership.term());
        assertFalse(leadership.leads(1));
        assertTrue(leadership.leads(2));
    }

    @Test
    void anEagerReassignmentOfTheSamePartitionAfterARevocationIsANewElection() {
        // The eager protocol revokes everything before every assignment, even when the partition stays
        Leadership leadership = new Leadership();
        leadership.assigned(List.of(0));

        assertEquals(DEPOSED, leadership.revoked(List.of(0)));
        assertEquals(ELECTED, leadership.assigned(List.of(0)));
        assertEquals(2, leadership.term());
    }
}
