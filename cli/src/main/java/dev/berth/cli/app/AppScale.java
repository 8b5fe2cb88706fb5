package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.api.Gateway;
import dev.berth.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code berth app scale ID N}: sets the app's instance count ({@code PATCH /v1/apps/{id}}); tasks are kept. */
@Command(name = "scale", mixinStandardHelpOptions = true, description = "Set how many instances an app runs.",
        footerHeading = "%nExample:%n", footer = "  berth app scale /team-a/web 3 --wait")
public final class AppScale implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
    String id;

    @Parameters(index = "1", paramLabel = "N", description = "The number of instances.")
    int instances;

    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        Gateway gateway = berth.gateway();
        Instant deadline = Instant.now().plus(waitOptions.timeout());
        JsonNode app = gateway.patch(AppPath.of(id, ""), Json.MAPPER.createObjectNode().put("instances", instances));
        long version = app.path("version").asLong();
        berth.terminal().out().println("scaled " + AppPath.id(id) + " to " + instances + " instances (version " + version + ")");
        if (waitOptions.enabled()) {
            new DeploymentWatch(gateway, berth.terminal().out()).await(AppPath.id(id), version, deadline);
        }
        return 0;
    }
}
