package dev.berth.cli.output;

import java.util.Set;

/**
 * The colour of a state word in a table: green when all is well, yellow while something is under way,
 * red when something failed — so a long list is read at a glance. Only ANSI's basic colours, which
 * every terminal shows.
 */
public final class StatusColour {
    private static final Set<String> GOOD = Set.of("RUNNING", "HEALTHY", "SUCCEEDED", "ACTIVE", "ATTACHED", "AVAILABLE");
    private static final Set<String> BAD = Set.of("FAILED", "CRASH_LOOPING", "LOST", "UNHEALTHY", "ROLLED_BACK",
            "KILLED", "ERROR", "FENCED", "CANCELLED");
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String RED = "\u001b[31m";
    private static final String RESET = "\u001b[0m";

    private StatusColour() {
    }

    /** {@code shown} (the padded cell) coloured by the state {@code state} names. */
    public static String paint(String shown, String state) {
        String colour = GOOD.contains(state) ? GREEN : BAD.contains(state) ? RED : "-".equals(state) ? null : YELLOW;
        return colour == null ? shown : colour + shown + RESET;
    }
}
