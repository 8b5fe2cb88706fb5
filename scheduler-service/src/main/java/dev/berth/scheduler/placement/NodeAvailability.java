package dev.berth.scheduler.placement;

/**
 * Whether a node may receive new tasks, as the scheduler sees it: only READY nodes do. Not the
 * operator's wish for the node (the API's {@code mode}, ACTIVE or DRAINING): that is one input to this,
 * its reachability the other.
 */
public enum NodeAvailability {
    READY,
    /** An operator asked to move its tasks away. */
    DRAINING,
    /** It missed heartbeats for longer than the node timeout. */
    UNREACHABLE
}
