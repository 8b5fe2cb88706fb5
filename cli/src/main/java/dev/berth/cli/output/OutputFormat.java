package dev.berth.cli.output;

import picocli.CommandLine.Option;

/**
 * {@code -o table|json} of every command that reads: a table for people, or the API's own JSON for
 * scripts (exactly what the gateway answered, a list as one array), so a script never parses a table.
 */
public final class OutputFormat {
    /** The two shapes; lower case, as they are typed. */
    public enum Shape { table, json }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default) or json.")
    Shape shape = Shape.table;

    public boolean json() {
        return shape == Shape.json;
    }
}
