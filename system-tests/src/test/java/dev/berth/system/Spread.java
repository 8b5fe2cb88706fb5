package dev.berth.system;

import java.util.List;

/** Min, median and max of a benchmark's repeated measurements, as the notes report them. */
record Spread(long min, long median, long max) {
    static Spread of(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        if (sorted.isEmpty()) {
            return new Spread(0, 0, 0);
        }
        return new Spread(sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    @Override
    public String toString() {
        return "min " + min + " ms, median " + median + " ms, max " + max + " ms";
    }
}
