package dev.berth.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.Berth;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code berth node list}: each node, whether it is heard from, its mode, and what is set aside on it. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List nodes.",
        footerHeading = "%nExample:%n", footer = "  berth node list")
public final class NodeList implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        ArrayNode nodes = berth.gateway().list("/v1/nodes?limit=1000", "nodes");
        if (output.json()) {
            berth.terminal().out().println(Json.pretty(nodes));
            return 0;
        }
        if (nodes.isEmpty()) {
            berth.terminal().out().println("No nodes.");
            return 0;
        }
        Table table = Table.of("ID", "MODE", "REACHABLE", "HOST", "CPUS", "MEM", "TASKS", "ATTRIBUTES").statusColumn("MODE");
        for (JsonNode node : nodes) {
            JsonNode capacity = node.path("capacity");
            JsonNode allocated = node.path("allocated");
            table.row(node.path("id").asText(), Json.text(node, "mode"), node.path("reachable").asText(),
                    Json.text(node, "host"),
                    allocated.path("cpus").asText("0") + "/" + capacity.path("cpus").asText("?"),
                    allocated.path("mem").asText("0") + "/" + capacity.path("mem").asText("?"),
                    String.valueOf(node.path("runningTaskIds").size()), node.path("attributes").toString());
        }
        berth.terminal().out().print(table.render(berth.terminal().width(), berth.terminal().colour()));
        return 0;
    }
}
