package dev.berth.contracts.app;

/**
 * A soft placement preference (Berth's addition to Marathon's format): nodes whose {@code field}
 * ({@code hostname} or an attribute) equals {@code value} score {@code weight} more, from -100
 * (avoid if possible) to 100 (prefer strongly). Unlike a {@link Constraint} it never leaves an
 * instance unplaced: when no preferred node has room, another is used.
 */
public record Affinity(String field, String value, int weight) {
}
