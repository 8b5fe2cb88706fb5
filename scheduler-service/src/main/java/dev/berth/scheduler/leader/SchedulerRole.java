package dev.berth.scheduler.leader;

/**
 * What one scheduler process is doing in a highly available installation, as its health check and
 * {@code GET /scheduler/role} report it.
 */
public enum SchedulerRole {
    /** Not yet a member of the leader group: it does not know its role yet. Not ready. */
    STARTING,
    /** A member of the leader group that does not hold the leadership: it waits and does nothing. Ready. */
    STANDBY,
    /** Elected, rebuilding its state from the compacted topics; acts once that is done. Not ready. */
    ACTIVATING,
    /** Elected and acting: the one scheduler that places tasks and writes state. Ready. */
    ACTIVE;

    /** Standby and active are both healthy steady states; starting and activating are on their way. */
    public boolean ready() {
        return this == STANDBY || this == ACTIVE;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
