package dev.berth.cli.volume;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.output.Facts;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ShowCommand;
import dev.berth.cli.output.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth volume show ID}: one volume — whose it is, where it lives, who holds it with which fencing epoch. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one volume.",
        footerHeading = "%nExample:%n", footer = "  berth volume show team-a_db.db-0.data")
public final class VolumeShow extends ShowCommand {
    @Parameters(paramLabel = "ID", description = "The volume's id (berth volume list shows them).")
    String id;

    @Override
    protected String path() {
        return ApiPath.of("volumes", id, "");
    }

    @Override
    protected String describe(JsonNode volume, Terminal terminal) {
        return Facts.of()
                .add("id", volume.path("id").asText())
                .add("app", Json.text(volume, "appId"))
                .add("identity", Json.text(volume, "identity"))
                .add("name", Json.text(volume, "name"))
                .add("state", Json.text(volume, "state"))
                .add("type", Json.text(volume, "type") + " (" + Json.text(volume, "provider") + "), "
                        + Json.text(volume, "sizeMib") + " MiB")
                .add("lives on", Json.text(volume, "nodeId"))
                .add("attached", volume.hasNonNull("attachedTaskId") ? Json.text(volume, "attachedTaskId") + " on "
                        + Json.text(volume, "attachedNodeId") : null)
                .add("fencing epoch", Json.text(volume, "fencingEpoch"))
                .add("updated", Json.text(volume, "updatedAt"))
                .render();
    }

    /** Where the volume is: the node it lives on (LOCAL), else the node it is attached to, else "-". */
    static String node(JsonNode volume) {
        return volume.hasNonNull("nodeId") ? volume.path("nodeId").asText() : Json.text(volume, "attachedNodeId");
    }
}
