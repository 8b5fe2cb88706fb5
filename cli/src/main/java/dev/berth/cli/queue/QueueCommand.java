package dev.berth.cli.queue;

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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code berth queue}: the apps with instances waiting to run and why — each placement refusal with
 * the number of nodes that gave it, or the backoff a failing app waits out. The question it answers is
 * "why is my app not running?".
 */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Show what waits to be placed, and why.",
        footerHeading = "%nExample:%n", footer = "  berth queue -o json")
public final class QueueCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        ArrayNode queue = berth.gateway().list("/v1/queue?limit=1000", "queue");
        if (output.json()) {
            berth.terminal().out().println(Json.pretty(queue));
            return 0;
        }
        if (queue.isEmpty()) {
            berth.terminal().out().println("Nothing waits.");
            return 0;
        }
        Table table = Table.of("APP", "WAITING", "SINCE", "WHY");
        for (JsonNode entry : queue) {
            table.row(entry.path("appId").asText(), entry.path("waiting").asText(), Json.text(entry, "since"), why(entry));
        }
        berth.terminal().out().print(table.render(berth.terminal().width(), berth.terminal().colour()));
        return 0;
    }

    static String why(JsonNode entry) {
        List<String> reasons = new ArrayList<>();
        for (Map.Entry<String, JsonNode> reason : entry.path("unplaced").properties()) {
            reasons.add(reason.getValue().asInt() + " nodes: " + reason.getKey());
        }
        if (entry.hasNonNull("delayedUntil")) {
            reasons.add("backoff until " + entry.path("delayedUntil").asText()
                    + (entry.path("delay").path("lastFailure").hasNonNull("message")
                    ? " after " + entry.path("delay").path("lastFailure").path("message").asText() : ""));
        }
        return reasons.isEmpty() ? "-" : String.join("; ", reasons);
    }
}
