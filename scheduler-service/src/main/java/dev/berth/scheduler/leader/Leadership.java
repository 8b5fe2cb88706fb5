package dev.berth.scheduler.leader;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Turns the leader group's partition callbacks into elections and depositions. Plain Java, so the
 * rules are tested without a broker.
 *
 * <p>The leader topic has one partition, and whoever the group assigns partition {@value #LEADER_PARTITION}
 * leads. Callbacks arrive incrementally (the cooperative assignor reports only partitions added or
 * taken away), so this keeps the set held and reports a change of leadership only when partition 0
 * comes or goes. A term counts elections: a scheduler that is deposed and elected again gets a new
 * term, and anything begun in the old one must not carry on.
 */
public final class Leadership {
    /** The partition of the leader topic that makes its holder the leader. */
    public static final int LEADER_PARTITION = 0;

    /** What a callback means for this member. */
    public enum Change {
        /** Nothing changed for this member. */
        NONE,
        /** This member now leads. */
        ELECTED,
        /** This member led and no longer does. */
        DEPOSED
    }

    private final Set<Integer> held = new HashSet<>();
    private boolean joined;
    private long term;

    /** The group assigned these partitions (cooperative: only the newly added ones; possibly none). */
    public synchronized Change assigned(Collection<Integer> partitions) {
        joined = true;
        boolean wasLeader = leader();
        held.addAll(partitions);
        if (!wasLeader && leader()) {
            term++;
            return Change.ELECTED;
        }
        return Change.NONE;
    }

    /** The group took these partitions back in an orderly rebalance, or on leaving the group. */
    public synchronized Change revoked(Collection<Integer> partitions) {
        return remove(partitions);
    }

    /**
     * The member found it is no longer in the group (its session expired, or it was fenced by a newer
     * generation): the partitions were already given to someone else, possibly long ago.
     */
    public synchronized Change lost(Collection<Integer> partitions) {
        joined = false;
        return remove(partitions);
    }

    /** The consumer is closed or failed: whatever it held is gone. */
    public synchronized Change left() {
        joined = false;
        return remove(Set.copyOf(held));
    }

    private Change remove(Collection<Integer> partitions) {
        boolean wasLeader = leader();
        held.removeAll(partitions);
        return wasLeader && !leader() ? Change.DEPOSED : Change.NONE;
    }

    public synchronized boolean leader() {
        return held.contains(LEADER_PARTITION);
    }

    /** True once the group has answered with an assignment, so this member knows its role. */
    public synchronized boolean joined() {
        return joined;
    }

    /** The number of the current (or last) election this member won; 0 before the first. */
    public synchronized long term() {
        return term;
    }

    /** True while this member still leads in the given term. */
    public synchronized boolean leads(long inTerm) {
        return leader() && term == inTerm;
    }
}
