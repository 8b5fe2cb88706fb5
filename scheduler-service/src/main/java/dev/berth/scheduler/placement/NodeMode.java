package dev.berth.scheduler.placement;

/** Whether a node may receive new tasks. Only READY nodes do. */
public enum NodeMode {
    READY,
    /** An operator asked to move its tasks away. */
    DRAINING,
    /** It missed heartbeats for longer than the node timeout. */
    UNREACHABLE
}
