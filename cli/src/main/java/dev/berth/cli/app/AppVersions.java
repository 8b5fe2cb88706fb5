package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.Berth;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code berth app versions ID}: the versions the scheduler keeps of an app, newest first, and what made each. */
@Command(name = "versions", mixinStandardHelpOptions = true, description = "List an app's versions, newest first.",
        footerHeading = "%nExample:%n", footer = "  berth app versions /team-a/web")
public final class AppVersions implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Parameters(paramLabel = "ID", description = "The app's id.")
    String id;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        ArrayNode versions = berth.gateway().list(AppPath.of(id, "/versions") + "?limit=1000", "versions");
        if (output.json()) {
            berth.terminal().out().println(Json.pretty(versions));
            return 0;
        }
        Table table = Table.of("VERSION", "CHANGE", "WHEN");
        for (JsonNode version : versions) {
            table.row(Json.text(version, "version"), Json.text(version, "change"), Json.text(version, "occurredAt"));
        }
        berth.terminal().out().print(table.render(berth.terminal().width(), berth.terminal().colour()));
        return 0;
    }
}
