package dev.berth.cli.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ListCommand;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code berth queue}: the apps with instances waiting to run and why — each placement refusal with
 * the number of nodes that gave it, or the backoff a failing app waits out. The question it answers is
 * "why is my app not running?".
 */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Show what waits to be placed, and why.",
        footerHeading = "%nExample:%n", footer = "  berth queue -o json")
public final class QueueCommand extends ListCommand {
    public QueueCommand() {
        super("queue", "Nothing waits.");
    }

    @Override
    protected String path() {
        return "/v1/queue?limit=1000";
    }

    @Override
    protected Table table() {
        return Table.of("APP", "WAITING", "SINCE", "WHY");
    }

    @Override
    protected String[] row(JsonNode entry) {
        return new String[] {entry.path("appId").asText(), entry.path("waiting").asText(), Json.text(entry, "since"), why(entry)};
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
