package dev.berth.cli.output;

import java.io.PrintWriter;
import java.util.Map;

/**
 * Where a command writes and how its output should look there: colour only on a terminal and never
 * when {@code NO_COLOR} is set (https://no-color.org), and tables as wide as {@code COLUMNS} says
 * (the shell exports it; 100 when nobody does, which also keeps piped output stable).
 */
public record Terminal(PrintWriter out, PrintWriter err, boolean colour, int width) {
    public static final int DEFAULT_WIDTH = 100;

    public static Terminal of(PrintWriter out, PrintWriter err, Map<String, String> env, boolean interactive) {
        boolean colour = interactive && !env.containsKey("NO_COLOR") && !"dumb".equals(env.get("TERM"));
        return new Terminal(out, err, colour, width(env));
    }

    /** True when standard output is a terminal a person reads (Java 17: a console exists only then). */
    public static boolean isInteractive() {
        return System.console() != null;
    }

    static int width(Map<String, String> env) {
        try {
            int columns = Integer.parseInt(env.getOrDefault("COLUMNS", "").trim());
            return columns >= 20 ? columns : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }
}
