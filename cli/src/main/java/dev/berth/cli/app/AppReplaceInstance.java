package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.api.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code berth app replace-instance ID IDENTITY}: gives one identity of a stateful app ({@code db-1})
 * fresh volumes on another node — the way out for an instance whose local volume's node is gone for
 * good. Its old volumes are released, never destroyed, so a mistaken replace loses no data.
 */
@Command(name = "replace-instance", mixinStandardHelpOptions = true,
        description = {"Give one identity of a stateful app fresh volumes on another node.",
                "For an instance whose local volume's node is gone for good; its old volumes are released, not destroyed."},
        footerHeading = "%nExample:%n", footer = "  berth app replace-instance /team-a/db db-1 --wait")
public final class AppReplaceInstance extends AppChange {
    @Parameters(index = "1", paramLabel = "IDENTITY", description = "The identity to replace, e.g. db-1.")
    String identity;

    @Override
    JsonNode send(Gateway gateway) {
        return gateway.post(AppPath.of(id, "/instances/" + ApiPath.segment(identity) + "/replace"), null);
    }

    @Override
    String accepted(long version) {
        return "replacing " + identity + " of " + AppPath.id(id) + " with fresh volumes (version " + version + ")";
    }
}
