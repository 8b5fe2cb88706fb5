package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code berth app show ID}: one app — what it is, how it is doing, why it waits or failed — and its
 * tasks; {@code -o json} prints the gateway's whole answer.
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one app and its tasks.",
        footerHeading = "%nExample:%n", footer = "  berth app show /team-a/web")
public final class AppShow implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Parameters(paramLabel = "ID", description = "The app's id, e.g. /team-a/web.")
    String id;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        JsonNode app = berth.gateway().get(AppPath.of(id, ""));
        berth.terminal().out().print(output.json() ? Json.pretty(app) + "\n" : describe(app, berth));
        return 0;
    }

    static String describe(JsonNode app, Berth berth) {
        List<String[]> facts = new ArrayList<>();
        facts.add(new String[] {"id", app.path("id").asText()});
        facts.add(new String[] {"status", Json.text(app, "status")});
        facts.add(new String[] {"version", Json.text(app, "version")});
        facts.add(new String[] {"instances", app.path("instances").asInt() + " (running " + app.path("tasksRunning").asInt()
                + ", healthy " + app.path("tasksHealthy").asInt() + ", staged " + app.path("tasksStaged").asInt() + ")"});
        facts.add(new String[] {"cmd", Json.text(app, "cmd")});
        facts.add(new String[] {"resources", "cpus " + Json.text(app, "cpus") + ", mem " + Json.text(app, "mem")
                + " MiB, disk " + Json.text(app, "disk") + " MiB"});
        JsonNode deployment = app.path("deployment");
        if (deployment.isObject()) {
            facts.add(new String[] {"deployment", deployment.path("state").asText() + " " + deployment.path("id").asText()
                    + (deployment.hasNonNull("reason") ? ": " + deployment.path("reason").asText() : "")});
        }
        if (app.path("waiting").asInt() > 0) {
            facts.add(new String[] {"waiting", app.path("waiting").asInt() + " " + app.path("unplaced")});
        }
        JsonNode failure = app.path("lastTaskFailure");
        if (failure.isObject()) {
            facts.add(new String[] {"last failure", failure.path("state").asText() + " " + Json.text(failure, "timestamp")
                    + ": " + Json.text(failure, "message")});
        }
        StringBuilder text = new StringBuilder();
        for (String[] fact : facts) {
            text.append(String.format("%-13s %s%n", fact[0] + ":", fact[1]));
        }
        JsonNode tasks = app.path("tasks");
        if (tasks.isArray() && !tasks.isEmpty()) {
            Table table = Table.of("TASK", "STATE", "NODE", "HOST", "PORTS", "RESTARTS").statusColumn("STATE");
            for (JsonNode task : tasks) {
                List<String> ports = new ArrayList<>();
                task.path("ports").forEach(port -> ports.add(port.asText()));
                table.row(task.path("id").asText(), Json.text(task, "state"), Json.text(task, "node"),
                        Json.text(task, "host"), ports.isEmpty() ? "-" : String.join(",", ports),
                        String.valueOf(task.path("restarts").asInt()));
            }
            text.append('\n').append(table.render(berth.terminal().width(), berth.terminal().colour()));
        }
        return text.toString();
    }
}
