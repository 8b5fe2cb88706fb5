package dev.berth.testkit;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads one sample out of a service's {@code /q/metrics} answer (Prometheus text format), so a test
 * asserts a number, not a substring that a reordering of labels would break.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The value of the first sample named {@code name} whose labels include the given ones (other labels
     * may be there too); NaN when there is none.
     *
     * @param labels name, value, name, value …
     */
    public static double value(String text, String name, String... labels) {
        Map<String, String> wanted = new HashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        for (String line : text.split("\n")) {
            if (!line.startsWith(name) || line.length() == name.length()) {
                continue;
            }
            char next = line.charAt(name.length());
            if (next != ' ' && next != '{') {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            int valueAt = name.length();
            if (next == '{') {
                int end = line.indexOf('}', name.length());
                for (String pair : line.substring(name.length() + 1, end).split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        found.put(pair.substring(0, eq).trim(), pair.substring(eq + 2, pair.length() - 1));
                    }
                }
                valueAt = end + 1;
            }
            if (found.entrySet().containsAll(wanted.entrySet())) {
                return Double.parseDouble(line.substring(valueAt).trim().split(" ")[0]);
            }
        }
        return Double.NaN;
    }
}
