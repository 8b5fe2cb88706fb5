package dev.berth.cli.volume;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Query;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ListCommand;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code berth volume list}: the volumes the caller's teams own, deleted ones included, filtered as the API filters them. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List volumes.",
        footerHeading = "%nExamples:%n",
        footer = {"  berth volume list --app /team-a/db", "  berth volume list --state released -o json"})
public final class VolumeList extends ListCommand {
    @Option(names = "--app", description = "Only this app's volumes; may repeat.")
    List<String> apps;

    @Option(names = "--node", description = "Only volumes living on or attached to this node; may repeat.")
    List<String> nodes;

    @Option(names = "--state", description = "Only volumes in this state (available, attached, released …); may repeat.")
    List<String> states;

    public VolumeList() {
        super("volumes", "No volumes.");
    }

    @Override
    protected String path() {
        return "/v1/volumes" + new Query().add("limit", 1000).addAll("app", apps).addAll("node", nodes).addAll("state", states);
    }

    @Override
    protected Table table() {
        return Table.of("ID", "APP", "IDENTITY", "STATE", "TYPE", "SIZE", "NODE", "HELD BY", "EPOCH").statusColumn("STATE");
    }

    @Override
    protected String[] row(JsonNode volume) {
        return new String[] {volume.path("id").asText(), Json.text(volume, "appId"), Json.text(volume, "identity"),
                Json.text(volume, "state"), Json.text(volume, "type"),
                Json.text(volume, "sizeMib") + " MiB", VolumeShow.node(volume), Json.text(volume, "attachedTaskId"),
                Json.text(volume, "fencingEpoch")};
    }
}
