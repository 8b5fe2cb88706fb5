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

/** {@code berth deployment promote ID}: lets a deployment paused on healthy canaries roll on. */
@Command(name = "promote", mixinStandardHelpOptions = true, description = "Continue a deployment paused with healthy canaries.",
        footerHeading = "%nExample:%n", footer = "  berth deployment promote 2f0c…")
public final class DeploymentPromote implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The deployment's id.")
    String id;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        JsonNode deployment = berth.gateway().post("/v1/deployments/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/promote", null);
        berth.terminal().out().println("promoted " + id + " of " + deployment.path("appId").asText()
                + ": " + deployment.path("state").asText());
        return 0;
    }
}
