package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.output.Facts;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ShowCommand;
import dev.berth.cli.output.Table;
import dev.berth.cli.output.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code berth app show ID}: one app — what it is, how it is doing, why it waits or failed — and its
 * tasks; {@code -o json} prints the gateway's whole answer.
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one app and its tasks.",
        footerHeading = "%nExample:%n", footer = "  berth app show /team-a/web")
public final class AppShow extends ShowCommand {
    @Parameters(paramLabel = "ID", description = "The app's id, e.g. /team-a/web.")
    String id;

    @Override
    protected String path() {
        return AppPath.of(id, "");
    }

    @Override
    protected String describe(JsonNode app, Terminal terminal) {
        JsonNode deployment = app.path("deployment");
        JsonNode failure = app.path("lastTaskFailure");
        String text = Facts.of()
                .add("id", app.path("id").asText())
                .add("status", Json.text(app, "status"))
                .add("version", Json.text(app, "version"))
                .add("instances", app.path("instances").asInt() + " (running " + app.path("tasksRunning").asInt()
                        + ", healthy " + app.path("tasksHealthy").asInt() + ", staged " + app.path("tasksStaged").asInt() + ")")
                .add("cmd", Json.text(app, "cmd"))
                .add("image", app.path("container").path("docker").hasNonNull("image")
                        ? Json.text(app.path("container").path("docker"), "image") : null)
                .add("resources", "cpus " + Json.text(app, "cpus") + ", mem " + Json.text(app, "mem")
                        + " MiB, disk " + Json.text(app, "disk") + " MiB")
                .add("deployment", deployment.isObject() ? deployment.path("state").asText() + " " + deployment.path("id").asText()
                        + (deployment.hasNonNull("reason") ? ": " + deployment.path("reason").asText() : "") : null)
                .add("waiting", app.path("waiting").asInt() > 0 ? app.path("waiting").asInt() + " " + app.path("unplaced") : null)
                .add("last failure", failure.isObject() ? failure.path("state").asText() + " "
                        + Json.text(failure, "timestamp") + ": " + Json.text(failure, "message") : null)
                .render();
        JsonNode tasks = app.path("tasks");
        if (!tasks.isArray() || tasks.isEmpty()) {
            return text;
        }
        Table table = Table.of("TASK", "STATE", "NODE", "HOST", "PORTS", "RESTARTS").statusColumn("STATE");
        for (JsonNode task : tasks) {
            table.row(task.path("id").asText(), Json.text(task, "state"), Json.text(task, "node"),
                    Json.text(task, "host"), Json.list(task, "ports"), String.valueOf(task.path("restarts").asInt()));
        }
        return text + "\n" + table.render(terminal.width(), terminal.colour());
    }
}
