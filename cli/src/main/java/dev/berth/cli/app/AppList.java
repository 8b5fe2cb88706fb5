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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code berth app list}: every app the caller sees (all pages), one line each. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = "List the apps you can see.",
        footerHeading = "%nExamples:%n", footer = {"  berth app list", "  berth app list --team team-a -o json"})
public final class AppList implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Option(names = "--team", description = "Only this team's apps.")
    String team;

    @Option(names = "--label", description = "Only apps with this label (key or key=value); may repeat.")
    List<String> labels = List.of();

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        StringBuilder query = new StringBuilder("?limit=1000");
        if (team != null) {
            query.append("&team=").append(AppPath.query(team));
        }
        labels.forEach(label -> query.append("&label=").append(AppPath.query(label)));
        ArrayNode apps = berth.gateway().list("/v1/apps" + query, "apps");
        berth.terminal().out().print(output.json() ? Json.pretty(apps) + "\n" : table(apps, berth));
        return 0;
    }

    static String table(ArrayNode apps, Berth berth) {
        if (apps.isEmpty()) {
            return "No apps.\n";
        }
        Table table = Table.of("ID", "STATUS", "RUNNING", "CPUS", "MEM", "VERSION", "DEPLOYMENT").statusColumn("STATUS");
        for (JsonNode app : apps) {
            table.row(app.path("id").asText(), Json.text(app, "status"),
                    app.path("tasksRunning").asInt() + "/" + app.path("instances").asInt(),
                    Json.text(app, "cpus"), Json.text(app, "mem"), Json.text(app, "version"),
                    app.path("deployment").isObject() ? app.path("deployment").path("state").asText() : "-");
        }
        return table.render(berth.terminal().width(), berth.terminal().colour());
    }
}
