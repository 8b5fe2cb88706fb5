package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.api.Gateway;
import picocli.CommandLine.Command;

/** {@code berth app restart ID}: replaces every instance with a fresh task, as a deployment. */
@Command(name = "restart", mixinStandardHelpOptions = true, description = "Replace every instance of an app with a fresh task.",
        footerHeading = "%nExample:%n", footer = "  berth app restart /team-a/web --wait")
public final class AppRestart extends AppChange {
    @Override
    JsonNode send(Gateway gateway) {
        return gateway.post(AppPath.of(id, "/restart"), null);
    }

    @Override
    String accepted(long version) {
        return "restarting " + AppPath.id(id) + " (version " + version + ")";
    }
}
