package dev.berth.cli.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Query;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ListCommand;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code berth task list}: the tasks the caller sees, filtered as {@code GET /v1/tasks} filters them. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List tasks.",
        footerHeading = "%nExamples:%n",
        footer = {"  berth task list --app /team-a/web", "  berth task list --app /team-a/web --state terminal"})
public final class TaskList extends ListCommand {
    @Option(names = "--app", description = "Only this app's tasks; may repeat.")
    List<String> apps;

    @Option(names = "--node", description = "Only tasks on this node; may repeat.")
    List<String> nodes;

    @Option(names = "--state", description = "Only tasks in this state (running, staging …, or terminal for ended ones); may repeat.")
    List<String> states;

    public TaskList() {
        super("tasks", "No tasks.");
    }

    @Override
    protected String path() {
        return "/v1/tasks" + new Query().add("limit", 1000).addAll("app", apps).addAll("node", nodes).addAll("state", states);
    }

    @Override
    protected Table table() {
        return Table.of("TASK", "APP", "STATE", "NODE", "HOST", "PORTS", "REASON").statusColumn("STATE");
    }

    @Override
    protected String[] row(JsonNode task) {
        return new String[] {task.path("id").asText(), Json.text(task, "appId"), Json.text(task, "state"),
                Json.text(task, "node"), Json.text(task, "host"), Json.list(task, "ports"), Json.text(task, "reason")};
    }
}
