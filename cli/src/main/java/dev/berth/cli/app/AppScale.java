package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.api.Gateway;
import dev.berth.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth app scale ID N}: sets the app's instance count ({@code PATCH /v1/apps/{id}}); tasks are kept. */
@Command(name = "scale", mixinStandardHelpOptions = true, description = "Set how many instances an app runs.",
        footerHeading = "%nExample:%n", footer = "  berth app scale /team-a/web 3 --wait")
public final class AppScale extends AppChange {
    @Parameters(index = "1", paramLabel = "N", description = "The number of instances.")
    int instances;

    @Override
    JsonNode send(Gateway gateway) {
        return gateway.patch(AppPath.of(id, ""), Json.MAPPER.createObjectNode().put("instances", instances));
    }

    @Override
    String accepted(long version) {
        return "scaled " + AppPath.id(id) + " to " + instances + " instances (version " + version + ")";
    }
}
