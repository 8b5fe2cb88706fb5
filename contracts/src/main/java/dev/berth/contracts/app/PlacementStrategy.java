package dev.berth.contracts.app;

/**
 * How the scheduler chooses among nodes that fit. An app may name one; otherwise the scheduler's
 * cluster-wide default applies.
 */
public enum PlacementStrategy {
    /** Fill the fullest node that fits first: fewer nodes busy, more whole nodes left for big tasks. */
    BINPACK,
    /** Prefer the emptiest node: load evenly spread, a node's failure hits fewer tasks. */
    SPREAD
}
