package dev.berth.cli.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.output.Facts;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ShowCommand;
import dev.berth.cli.output.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth task show TASK}: one task, running or ended — where it runs, since when, and why it ended. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one task (running or ended).",
        footerHeading = "%nExample:%n", footer = "  berth task show team-a_web.7b7d… -o yaml")
public final class TaskShow extends ShowCommand {
    @Parameters(paramLabel = "TASK", description = "The task's id (berth task list shows them).")
    String id;

    @Override
    protected String path() {
        return ApiPath.of("tasks", id, "");
    }

    @Override
    protected String describe(JsonNode task, Terminal terminal) {
        return Facts.of()
                .add("id", task.path("id").asText())
                .add("app", Json.text(task, "appId"))
                .add("state", Json.text(task, "state"))
                .add("identity", Json.text(task, "identity"))
                .add("version", Json.text(task, "appVersion"))
                .add("node", Json.text(task, "node"))
                .add("host", Json.text(task, "host"))
                .add("ports", Json.list(task, "ports"))
                .add("health", health(task.path("healthCheckResults")))
                .add("volumes", volumes(task.path("volumes")))
                .add("restarts", Json.text(task, "restarts"))
                .add("last failure", Json.text(task.path("lastFailure"), "message"))
                .add("launched", Json.text(task, "launchedAt"))
                .add("running since", Json.text(task, "runningSince"))
                .add("ended", Json.text(task, "endedAt"))
                .add("exit code", Json.text(task, "exitCode"))
                .add("reason", Json.text(task, "reason"))
                .render();
    }

    /** "alive" or "failing (3 in a row)", from the check that last changed; nothing before a first report. */
    static String health(JsonNode results) {
        if (results.isEmpty()) {
            return null;
        }
        JsonNode last = results.get(0);
        return last.path("alive").asBoolean() ? "alive" : "failing (" + last.path("consecutiveFailures").asInt() + " in a row)";
    }

    /** "team-a_db.db-0.data at /var/lib/data (rw)", comma separated. */
    static String volumes(JsonNode volumes) {
        java.util.List<String> mounted = new java.util.ArrayList<>();
        volumes.forEach(volume -> mounted.add(volume.path("volumeId").asText() + " at " + volume.path("containerPath").asText()
                + (volume.path("readOnly").asBoolean() ? " (ro)" : " (rw)")));
        return mounted.isEmpty() ? null : String.join(", ", mounted);
    }
}
