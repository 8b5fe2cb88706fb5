package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Constraint;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What the engine derives from constraints once rather than per placement: the rejection reason of
 * each constraint ("constraint rack LIKE rack-[0-9]+"), and each LIKE / UNLIKE regular expression,
 * compiled, with its answer per field value remembered: a cluster has few distinct racks or zones,
 * so after the first few placements a regex constraint costs one hash lookup per node, not a match.
 */
final class ConstraintCache {
    /** Bounds memory if values are unbounded (e.g. LIKE on hostname over a churning fleet). */
    private static final int MAX_ANSWERS = 100_000;
    private static final int MAX_REASONS = 10_000;

    private final Map<String, Compiled> patterns = new HashMap<>();
    private final Map<Constraint, String> reasons = new HashMap<>();

    Compiled pattern(String regex) {
        return patterns.computeIfAbsent(regex, Compiled::new);
    }

    String reason(Constraint constraint) {
        String reason = reasons.get(constraint);
        if (reason == null) {
            if (reasons.size() >= MAX_REASONS) {
                reasons.clear();
            }
            reason = "constraint " + constraint;
            reasons.put(constraint, reason);
        }
        return reason;
    }

    static final class Compiled {
        private final Pattern pattern;
        private final Map<String, Boolean> answers = new HashMap<>();

        private Compiled(String regex) {
            Pattern p;
            try {
                p = regex == null ? null : Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                // The app parser rejects bad expressions; one that slips through matches nothing.
                p = null;
            }
            this.pattern = p;
        }

        boolean valid() {
            return pattern != null;
        }

        /** Whether the whole value matches (Marathon's LIKE is a full match, not a find). */
        boolean matches(String value) {
            Boolean answer = answers.get(value);
            if (answer == null) {
                answer = pattern != null && pattern.matcher(value).matches();
                if (answers.size() >= MAX_ANSWERS) {
                    answers.clear();
                }
                answers.put(value, answer);
            }
            return answer;
        }
    }
}
