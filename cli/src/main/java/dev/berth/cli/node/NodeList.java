package dev.berth.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ListCommand;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;

/** {@code berth node list}: each node, whether it is heard from, its mode, and what is set aside on it. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List nodes.",
        footerHeading = "%nExample:%n", footer = "  berth node list")
public final class NodeList extends ListCommand {
    public NodeList() {
        super("nodes", "No nodes.");
    }

    @Override
    protected String path() {
        return "/v1/nodes?limit=1000";
    }

    @Override
    protected Table table() {
        return Table.of("ID", "MODE", "REACHABLE", "HOST", "CPUS", "MEM", "TASKS", "ATTRIBUTES").statusColumn("MODE");
    }

    @Override
    protected String[] row(JsonNode node) {
        return new String[] {node.path("id").asText(), Json.text(node, "mode"), node.path("reachable").asText(),
                Json.text(node, "host"), used(node, "cpus"), used(node, "mem"),
                String.valueOf(node.path("runningTaskIds").size()), node.path("attributes").toString()};
    }

    /** "0.5/4": what tasks hold of a resource, of what the node offers. */
    static String used(JsonNode node, String resource) {
        return node.path("allocated").path(resource).asText("0") + "/" + node.path("capacity").path(resource).asText("?");
    }
}
