package dev.berth.cli.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code berth deployment rollback ID}: stops a running or paused deployment and brings its starting definition back. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Stop a running or paused deployment and revert the app to the version it started from.",
        footerHeading = "%nExample:%n", footer = "  berth deployment rollback 2f0c…")
public final class DeploymentRollback implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The deployment's id.")
    String id;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        JsonNode deployment = berth.gateway().post("/v1/deployments/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/rollback", null);
        berth.terminal().out().println("rolled back " + id + " of " + deployment.path("appId").asText()
                + ": " + deployment.path("state").asText());
        return 0;
    }
}
