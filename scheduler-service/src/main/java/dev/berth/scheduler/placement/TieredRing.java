package dev.berth.scheduler.placement;

/**
 * A set of nodes (the whole cluster, or the nodes of one attribute value) kept twice: all of them in
 * visiting order, and split by load tier, so a search can look at the tiers its strategy prefers
 * first (BINPACK the fullest, SPREAD the emptiest) without sorting anything. Tier rings are created
 * on first use: most values of a field never hold nodes of every tier.
 */
final class TieredRing {
    /** Tier 0 holds nodes without allocations; tier i (1..8) nodes loaded up to i/8 (see {@link Cluster#tierOf}). */
    static final int TIERS = 9;
    private static final NodeRing EMPTY = new NodeRing();

    final NodeRing all = new NodeRing();
    private final NodeRing[] tiers = new NodeRing[TIERS];

    int size() {
        return all.size();
    }

    /** The nodes of one tier, in visiting order (an empty ring when there are none). */
    NodeRing tier(int tier) {
        NodeRing nodes = tiers[tier];
        return nodes == null ? EMPTY : nodes;
    }

    void add(NodeState node) {
        all.add(node);
        tierRing(node.tier).add(node);
    }

    void remove(NodeState node) {
        all.remove(node);
        if (tiers[node.tier] != null) {
            tiers[node.tier].remove(node);
        }
    }

    void move(NodeState node, int from, int to) {
        if (tiers[from] != null) {
            tiers[from].remove(node);
        }
        tierRing(to).add(node);
    }

    private NodeRing tierRing(int tier) {
        if (tiers[tier] == null) {
            tiers[tier] = new NodeRing();
        }
        return tiers[tier];
    }
}
