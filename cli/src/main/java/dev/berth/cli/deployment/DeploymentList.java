package dev.berth.cli.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.Berth;
import dev.berth.cli.Query;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.OutputFormat;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code berth deployment list}: deployments newest first — under way, and each app's latest finished ones. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List deployments, newest first.",
        footerHeading = "%nExamples:%n", footer = {"  berth deployment list", "  berth deployment list --state paused -o json"})
public final class DeploymentList implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Option(names = "--app", description = "Only this app's deployments; may repeat.")
    List<String> apps;

    @Option(names = "--state", description = "Only deployments in this state (running, paused, succeeded …); may repeat.")
    List<String> states;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        String query = new Query().add("limit", 1000).addAll("app", apps).addAll("state", states).toString();
        ArrayNode deployments = berth.gateway().list("/v1/deployments" + query, "deployments");
        if (output.json()) {
            berth.terminal().out().println(Json.pretty(deployments));
            return 0;
        }
        if (deployments.isEmpty()) {
            berth.terminal().out().println("No deployments.");
            return 0;
        }
        Table table = Table.of("ID", "APP", "STATE", "VERSIONS", "CAUSE", "STARTED", "REASON").statusColumn("STATE");
        for (JsonNode deployment : deployments) {
            table.row(deployment.path("id").asText(), Json.text(deployment, "appId"), Json.text(deployment, "state"),
                    deployment.path("fromVersion").asText() + "->" + deployment.path("toVersion").asText(),
                    Json.text(deployment, "cause"), Json.text(deployment, "startedAt"), Json.text(deployment, "reason"));
        }
        berth.terminal().out().print(table.render(berth.terminal().width(), berth.terminal().colour()));
        return 0;
    }
}
