package dev.berth.gateway.view;

/**
 * What an operator wants of a node, from the latest message on {@code berth.node-admin}: ACTIVE
 * (the default, also after an undrain or a tombstone) or DRAINING (no new tasks; its tasks move away).
 */
public enum NodeMode {
    ACTIVE,
    DRAINING
}
