package dev.berth.cli.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.output.Facts;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ShowCommand;
import dev.berth.cli.output.Table;
import dev.berth.cli.output.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth deployment show ID}: one deployment, its progress, and its plan step by step. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one deployment and its steps.",
        footerHeading = "%nExample:%n", footer = "  berth deployment show 2f0c…")
public final class DeploymentShow extends ShowCommand {
    @Parameters(paramLabel = "ID", description = "The deployment's id.")
    String id;

    @Override
    protected String path() {
        return ApiPath.of("deployments", id, "");
    }

    @Override
    protected String describe(JsonNode deployment, Terminal terminal) {
        String facts = Facts.of()
                .add("id", deployment.path("id").asText())
                .add("app", Json.text(deployment, "appId"))
                .add("state", Json.text(deployment, "state"))
                .add("versions", versions(deployment))
                .add("cause", Json.text(deployment, "cause"))
                .add("progress", progress(deployment.path("progress")))
                .add("reason", Json.text(deployment, "reason"))
                .add("started", Json.text(deployment, "startedAt"))
                .add("deadline", Json.text(deployment, "deadline"))
                .add("finished", Json.text(deployment, "finishedAt"))
                .render();
        JsonNode steps = deployment.path("steps");
        if (steps.isEmpty()) {
            return facts;
        }
        Table table = Table.of("STEP", "ACTION", "STATUS", "DETAIL").statusColumn("STATUS");
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            table.row(String.valueOf(i + 1), Json.text(step, "action"), Json.text(step, "status"), Json.text(step, "detail"));
        }
        return facts + "\n" + table.render(terminal.width(), terminal.colour());
    }

    /** "2->3": the app versions a deployment rolls between. */
    static String versions(JsonNode deployment) {
        return deployment.path("fromVersion").asText() + "->" + deployment.path("toVersion").asText();
    }

    /** "new: 1 healthy, 2 running of 3; old: 1 running". */
    public static String progress(JsonNode progress) {
        return "new: " + progress.path("newHealthy").asInt() + " healthy, " + progress.path("newRunning").asInt()
                + " running of " + progress.path("target").asInt() + "; old: " + progress.path("oldRunning").asInt() + " running";
    }
}
