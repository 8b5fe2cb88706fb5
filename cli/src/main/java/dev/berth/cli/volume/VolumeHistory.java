package dev.berth.cli.volume;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ListCommand;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code berth volume history ID}: every attach, release, fence and refusal of a volume, oldest
 * first, with the node, task and fencing epoch of each: how a stateful app's data moved and who held
 * it when. The answer is a bare array (not a paged list), from the volume service's audit table.
 */
@Command(name = "history", mixinStandardHelpOptions = true, description = "Show a volume's history, oldest first.",
        footerHeading = "%nExample:%n", footer = "  berth volume history team-a_db.db-0.data")
public final class VolumeHistory extends ListCommand {
    @Parameters(paramLabel = "ID", description = "The volume's id.")
    String id;

    public VolumeHistory() {
        super(null, "No history.");
    }

    @Override
    protected String path() {
        return ApiPath.of("volumes", id, "/history");
    }

    @Override
    protected Table table() {
        return Table.of("AT", "KIND", "STATES", "NODE", "TASK", "EPOCH", "REASON").statusColumn("KIND");
    }

    @Override
    protected String[] row(JsonNode change) {
        return new String[] {Json.text(change, "at"), Json.text(change, "kind"),
                Json.text(change, "fromState") + "->" + Json.text(change, "toState"), Json.text(change, "nodeId"),
                Json.text(change, "taskId"), Json.text(change, "fencingEpoch"), Json.text(change, "reason")};
    }
}
