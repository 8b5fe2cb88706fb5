package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Constraint;

/**
 * One {@link Constraint} of a task, compiled for the task at hand: the field's instance counts
 * resolved, regexes compiled, the operator picked. Each operator's meaning follows Marathon; the
 * rules are in {@code docs/placement.md}. A node lacking the field fails every operator but UNLIKE
 * (it cannot be shown to match, so it cannot be shown to break an exclusion either).
 */
abstract sealed class ConstraintCheck {
    final Constraint constraint;
    /** What operators read: "constraint hostname UNIQUE". */
    final String reason;

    ConstraintCheck(Constraint constraint, String reason) {
        this.constraint = constraint;
        this.reason = reason;
    }

    String field() {
        return constraint.field();
    }

    /**
     * Whether a node whose field has {@code value} (null: the node lacks it) may take the task.
     */
    abstract boolean accepts(String value);

    /** Lower runs first: equality before counters before regexes. */
    abstract int cost();

    /**
     * Builds the check for {@code constraint}.
     *
     * @param counts the app's instances per value of the constraint's field
     */
    static ConstraintCheck compile(Constraint constraint, ValueCounts counts, ConstraintCache cache) {
        String value = constraint.value();
        String reason = cache.reason(constraint);
        return switch (constraint.operator()) {
            case IS -> new Equals(constraint, reason, value);
            case CLUSTER -> value == null || value.isEmpty()
                    ? new ClusterWithInstances(constraint, reason, counts)
                    : new Equals(constraint, reason, value);
            case UNIQUE -> new MaxPer(constraint, reason, counts, 1);
            case MAX_PER -> new MaxPer(constraint, reason, counts, parse(value, 0));
            case GROUP_BY -> new GroupBy(constraint, reason, counts, parse(value, 0));
            case LIKE -> new Like(constraint, reason, cache.pattern(value), false);
            case UNLIKE -> new Like(constraint, reason, cache.pattern(value), true);
        };
    }

    private static int parse(String value, int otherwise) {
        try {
            return value == null ? otherwise : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** CLUSTER with a value, and IS: the field equals the value. */
    static final class Equals extends ConstraintCheck {
        final String expected;

        Equals(Constraint constraint, String reason, String expected) {
            super(constraint, reason);
            this.expected = expected;
        }

        @Override
        boolean accepts(String value) {
            return value != null && value.equals(expected);
        }

        @Override
        int cost() {
            return 0;
        }
    }

    /** CLUSTER without a value: all instances on the value the first one landed on. */
    static final class ClusterWithInstances extends ConstraintCheck {
        final ValueCounts counts;

        ClusterWithInstances(Constraint constraint, String reason, ValueCounts counts) {
            super(constraint, reason);
            this.counts = counts;
        }

        /** The value instances already run on, or null when the app has none yet. */
        String existing() {
            return counts.anyValue();
        }

        @Override
        boolean accepts(String value) {
            return value != null && (counts.groups() == 0 || counts.count(value) > 0);
        }

        @Override
        int cost() {
            return 0;
        }
    }

    /** UNIQUE (max 1) and MAX_PER n: fewer than n instances already on the node's value. */
    static final class MaxPer extends ConstraintCheck {
        final ValueCounts counts;
        final int max;

        MaxPer(Constraint constraint, String reason, ValueCounts counts, int max) {
            super(constraint, reason);
            this.counts = counts;
            this.max = max;
        }

        @Override
        boolean accepts(String value) {
            return value != null && counts.count(value) < max;
        }

        @Override
        int cost() {
            return 1;
        }
    }

    /**
     * GROUP_BY [n], exactly Marathon's rule: a node is accepted when its value holds no instance yet,
     * or when at least n values hold instances and its value holds the fewest. Until n values are in
     * use only new values are accepted, so with n given the app spreads over n values first.
     */
    static final class GroupBy extends ConstraintCheck {
        final ValueCounts counts;
        final int minGroups;

        GroupBy(Constraint constraint, String reason, ValueCounts counts, int minGroups) {
            super(constraint, reason);
            this.counts = counts;
            this.minGroups = minGroups;
        }

        @Override
        boolean accepts(String value) {
            if (value == null) {
                return false;
            }
            int here = counts.count(value);
            return here == 0 || (counts.groups() >= minGroups && here == counts.min());
        }

        @Override
        int cost() {
            return 1;
        }
    }

    /** LIKE (the whole value matches) and UNLIKE (it does not; a node without the field passes). */
    static final class Like extends ConstraintCheck {
        final ConstraintCache.Compiled pattern;
        final boolean negate;

        Like(Constraint constraint, String reason, ConstraintCache.Compiled pattern, boolean negate) {
            super(constraint, reason);
            this.pattern = pattern;
            this.negate = negate;
        }

        @Override
        boolean accepts(String value) {
            if (!pattern.valid()) {
                return false;
            }
            if (value == null) {
                return negate;
            }
            return pattern.matches(value) != negate;
        }

        @Override
        int cost() {
            return 2;
        }
    }
}
