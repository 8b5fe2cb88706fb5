package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Query;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ListCommand;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code berth app list}: every app the caller sees (all pages), one line each. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = "List the apps you can see.",
        footerHeading = "%nExamples:%n", footer = {"  berth app list", "  berth app list --team team-a -o json"})
public final class AppList extends ListCommand {
    @Option(names = "--team", description = "Only this team's apps.")
    String team;

    @Option(names = "--label", description = "Only apps with this label (key or key=value); may repeat.")
    List<String> labels;

    public AppList() {
        super("apps", "No apps.");
    }

    @Override
    protected String path() {
        return "/v1/apps" + new Query().add("limit", 1000).add("team", team).addAll("label", labels);
    }

    @Override
    protected Table table() {
        return Table.of("ID", "STATUS", "RUNNING", "CPUS", "MEM", "VERSION", "DEPLOYMENT").statusColumn("STATUS");
    }

    @Override
    protected String[] row(JsonNode app) {
        return new String[] {app.path("id").asText(), Json.text(app, "status"),
                app.path("tasksRunning").asInt() + "/" + app.path("instances").asInt(),
                Json.text(app, "cpus"), Json.text(app, "mem"), Json.text(app, "version"),
                Json.text(app.path("deployment"), "state")};
    }
}
