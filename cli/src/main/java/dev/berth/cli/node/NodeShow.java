package dev.berth.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.output.Facts;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ShowCommand;
import dev.berth.cli.output.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code berth node show NODE}: one node — what it offers, what is set aside on it and what its tasks
 * really use, how strictly it isolates them, and whether its agent is heard from.
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one node: capacity, use, isolation, tasks.",
        footerHeading = "%nExample:%n", footer = "  berth node show node-1")
public final class NodeShow extends ShowCommand {
    private static final double MIB = 1024 * 1024;

    @Parameters(paramLabel = "NODE", description = "The node's id.")
    String id;

    @Override
    protected String path() {
        return ApiPath.of("nodes", id, "");
    }

    @Override
    protected String describe(JsonNode node, Terminal terminal) {
        JsonNode used = node.path("usage").path("total");
        JsonNode confinement = node.path("confinement");
        return Facts.of()
                .add("id", node.path("id").asText())
                .add("host", Json.text(node, "hostname") + " (" + Json.text(node, "host") + ")")
                .add("mode", Json.text(node, "mode"))
                .add("reachable", node.path("reachable").asText() + ", last seen " + Json.text(node, "lastSeen"))
                .add("cpus", NodeList.used(node, "cpus") + " set aside, " + used.path("cpuSeconds").asDouble() + " cpu-s used")
                .add("mem", NodeList.used(node, "mem") + " MiB set aside, "
                        + Math.round(used.path("memBytes").asDouble() / MIB) + " MiB used")
                .add("disk", NodeList.used(node, "disk") + " MiB set aside, "
                        + Math.round(used.path("diskBytes").asDouble() / MIB) + " MiB used")
                .add("ports", node.path("ports").path("begin").asText("?") + "-" + node.path("ports").path("end").asText("?"))
                .add("isolation", Json.text(node, "isolation"))
                .add("filesystem", Json.text(confinement, "filesystem"))
                .add("users", Json.text(confinement, "defaultUser") + " by default; allowed: " + Json.list(confinement, "allowedUsers"))
                .add("attributes", node.path("attributes").toString())
                .add("tasks", Json.list(node, "runningTaskIds"))
                .add("agent", Json.text(node, "agentUrl"))
                .render();
    }
}
