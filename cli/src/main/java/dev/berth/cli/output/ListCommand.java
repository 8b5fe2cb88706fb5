package dev.berth.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.Berth;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * Every {@code list} command: read each page of one of the API's lists, then print it with
 * {@code -o}: the whole array for scripts, else a table of one row per item (or a sentence when there
 * is nothing). A list command only says where its list is, what its table's columns are and what one
 * row shows, so the lists cannot drift apart in how they page, print or say "nothing".
 */
public abstract class ListCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Mixin
    protected OutputFormat output;

    private final String field;
    private final String nothing;

    /** {@code field}: the list's name in the API's answer ({@code "apps"}); {@code nothing}: "No apps.". */
    protected ListCommand(String field, String nothing) {
        this.field = field;
        this.nothing = nothing;
    }

    /** The API's path with the command's filters as a query, e.g. {@code /v1/apps?limit=1000&team=team-a}. */
    protected abstract String path();

    /** The table's columns (one may be a status, coloured). */
    protected abstract Table table();

    /** One item's cells, in the columns' order. */
    protected abstract String[] row(JsonNode item);

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        ArrayNode items = berth.gateway().list(path(), field);
        output.print(berth.terminal(), items, read -> {
            if (items.isEmpty()) {
                return nothing + "\n";
            }
            Table table = table();
            items.forEach(item -> table.row(row(item)));
            return table.render(berth.terminal().width(), berth.terminal().colour());
        });
        return 0;
    }
}
