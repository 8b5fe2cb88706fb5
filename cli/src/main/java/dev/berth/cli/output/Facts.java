package dev.berth.cli.output;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code show} command prints for people: one "name: value" line per fact, the values lined
 * up. Facts without a value are left out rather than shown as "-", so an app without a deployment
 * simply has no deployment line.
 */
public final class Facts {
    private final List<String[]> lines = new ArrayList<>();

    public static Facts of() {
        return new Facts();
    }

    public Facts add(String name, Object value) {
        String text = value == null ? "" : String.valueOf(value);
        if (!text.isEmpty() && !"-".equals(text)) {
            lines.add(new String[] {name + ":", text.replace('\n', ' ')});
        }
        return this;
    }

    public String render() {
        int width = lines.stream().mapToInt(line -> line[0].length()).max().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String[] line : lines) {
            text.append(line[0]).append(" ".repeat(width - line[0].length() + 1)).append(line[1]).append('\n');
        }
        return text.toString();
    }
}
