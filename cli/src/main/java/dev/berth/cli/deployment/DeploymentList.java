package dev.berth.cli.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Query;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ListCommand;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code berth deployment list}: deployments newest first — under way, and each app's latest finished ones. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List deployments, newest first.",
        footerHeading = "%nExamples:%n", footer = {"  berth deployment list", "  berth deployment list --state paused -o json"})
public final class DeploymentList extends ListCommand {
    @Option(names = "--app", description = "Only this app's deployments; may repeat.")
    List<String> apps;

    @Option(names = "--state", description = "Only deployments in this state (running, paused, succeeded …); may repeat.")
    List<String> states;

    public DeploymentList() {
        super("deployments", "No deployments.");
    }

    @Override
    protected String path() {
        return "/v1/deployments" + new Query().add("limit", 1000).addAll("app", apps).addAll("state", states);
    }

    @Override
    protected Table table() {
        return Table.of("ID", "APP", "STATE", "VERSIONS", "CAUSE", "STARTED", "REASON").statusColumn("STATE");
    }

    @Override
    protected String[] row(JsonNode deployment) {
        return new String[] {deployment.path("id").asText(), Json.text(deployment, "appId"), Json.text(deployment, "state"),
                DeploymentShow.versions(deployment), Json.text(deployment, "cause"), Json.text(deployment, "startedAt"),
                Json.text(deployment, "reason")};
    }
}
