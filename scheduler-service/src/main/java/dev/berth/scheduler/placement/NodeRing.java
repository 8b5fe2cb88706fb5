package dev.berth.scheduler.placement;

import java.util.Arrays;

/**
 * A set of nodes kept in the cluster's visiting order: sorted by a hash of the node id, so that
 * neighbours by name (rack-1-a, rack-1-b) are scattered around the ring and a search that stops
 * after a few feasible nodes does not keep landing in the same rack. Insertion and removal are a
 * binary search and an array copy, so nodes registering one by one never trigger a full re-sort.
 */
final class NodeRing {
    private NodeState[] items = new NodeState[4];
    private int size;

    void add(NodeState node) {
        int i = search(node);
        if (i >= 0) {
            return;
        }
        i = -i - 1;
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        System.arraycopy(items, i, items, i + 1, size - i);
        items[i] = node;
        size++;
    }

    void remove(NodeState node) {
        int i = search(node);
        if (i < 0) {
            return;
        }
        System.arraycopy(items, i + 1, items, i, size - i - 1);
        items[--size] = null;
    }

    int size() {
        return size;
    }

    NodeState get(int i) {
        return items[i];
    }

    private int search(NodeState node) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(items[mid], node);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    private static int compare(NodeState a, NodeState b) {
        int c = Long.compare(a.ringKey, b.ringKey);
        return c != 0 ? c : a.id.compareTo(b.id);
    }

    /** A 64-bit finaliser (splitmix64): spreads node ids and task ids evenly over the ring. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
