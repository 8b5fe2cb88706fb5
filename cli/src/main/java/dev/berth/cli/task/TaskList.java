package dev.berth.cli.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.Berth;
import dev.berth.cli.Query;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code berth task list}: the tasks the caller sees, filtered as {@code GET /v1/tasks} filters them. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List tasks.",
        footerHeading = "%nExamples:%n",
        footer = {"  berth task list --app /team-a/web", "  berth task list --app /team-a/web --state terminal"})
public final class TaskList implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Option(names = "--app", description = "Only this app's tasks; may repeat.")
    List<String> apps;

    @Option(names = "--node", description = "Only tasks on this node; may repeat.")
    List<String> nodes;

    @Option(names = "--state", description = "Only tasks in this state (running, staging …, or terminal for ended ones); may repeat.")
    List<String> states;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        String query = new Query().add("limit", 1000).addAll("app", apps).addAll("node", nodes).addAll("state", states).toString();
        ArrayNode tasks = berth.gateway().list("/v1/tasks" + query, "tasks");
        if (output.json()) {
            berth.terminal().out().println(Json.pretty(tasks));
            return 0;
        }
        if (tasks.isEmpty()) {
            berth.terminal().out().println("No tasks.");
            return 0;
        }
        Table table = Table.of("TASK", "APP", "STATE", "NODE", "HOST", "PORTS", "REASON").statusColumn("STATE");
        for (JsonNode task : tasks) {
            List<String> ports = new ArrayList<>();
            task.path("ports").forEach(port -> ports.add(port.asText()));
            table.row(task.path("id").asText(), Json.text(task, "appId"), Json.text(task, "state"), Json.text(task, "node"),
                    Json.text(task, "host"), ports.isEmpty() ? "-" : String.join(",", ports), Json.text(task, "reason"));
        }
        berth.terminal().out().print(table.render(berth.terminal().width(), berth.terminal().colour()));
        return 0;
    }
}
