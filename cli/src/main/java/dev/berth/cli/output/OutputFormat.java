package dev.berth.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Option;

import java.util.function.Function;

/**
 * {@code -o table|json|yaml} of every command that reads, and the one place a read is printed: a
 * table (or a few lines) for people, or the API's own answer for scripts — exactly what the gateway
 * answered, a list as one array — as JSON or YAML, so a script never parses a table.
 */
public final class OutputFormat {
    /** The three shapes; lower case, as they are typed. */
    public enum Shape { table, json, yaml }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default), json or yaml.")
    Shape shape = Shape.table;

    /** True when a script reads the output: JSON or YAML rather than text for people. */
    public boolean forScripts() {
        return shape != Shape.table;
    }

    /** Prints what was read: the answer itself for scripts, else what {@code forPeople} makes of it. */
    public void print(Terminal terminal, JsonNode read, Function<JsonNode, String> forPeople) {
        terminal.out().print(switch (shape) {
            case json -> Json.pretty(read) + "\n";
            case yaml -> Yaml.of(read);
            case table -> forPeople.apply(read);
        });
        terminal.out().flush();
    }

    /** One item of a stream (an event): a JSON document per line, or a YAML document per item. */
    public String item(JsonNode read, String forPeople) {
        return switch (shape) {
            case json -> read.toString();
            case yaml -> "---\n" + Yaml.of(read).stripTrailing();
            case table -> forPeople;
        };
    }
}
