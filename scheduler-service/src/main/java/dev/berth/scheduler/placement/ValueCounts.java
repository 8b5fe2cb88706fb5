package dev.berth.scheduler.placement;

import java.util.HashMap;
import java.util.Map;

/**
 * How many instances of one app run per value of one field (hostname, zone, rack …), over the
 * known nodes that have the field. Kept up to date on every allocation and release, so a
 * constraint check is one hash lookup instead of a walk over the app's tasks.
 */
final class ValueCounts {
    static final ValueCounts EMPTY = new ValueCounts();

    private final Map<String, int[]> counts = new HashMap<>();
    /** The smallest count among the values present; -1 when it must be recomputed. */
    private int min = -1;

    int count(String value) {
        int[] c = counts.get(value);
        return c == null ? 0 : c[0];
    }

    /** Number of distinct values holding at least one instance (Marathon's "groups"). */
    int groups() {
        return counts.size();
    }

    /** The smallest instance count among the values holding instances; 0 when there are none. */
    int min() {
        if (min < 0) {
            int m = Integer.MAX_VALUE;
            for (int[] c : counts.values()) {
                m = Math.min(m, c[0]);
            }
            min = counts.isEmpty() ? 0 : m;
        }
        return min;
    }

    /** One value holding instances (for CLUSTER without a value), or null. */
    String anyValue() {
        return counts.isEmpty() ? null : counts.keySet().iterator().next();
    }

    void add(String value, int delta) {
        int[] c = counts.get(value);
        if (c == null) {
            if (delta <= 0) {
                return;
            }
            counts.put(value, new int[] {delta});
        } else {
            c[0] += delta;
            if (c[0] <= 0) {
                counts.remove(value);
            }
        }
        min = -1;
    }
}
