package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.api.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code berth app replace-instance ID IDENTITY}: gives one identity of a stateful app ({@code db-1})
 * fresh volumes on another node — the way out for an instance whose local volume's node is gone for
 * good. Its old volumes are released, never destroyed, so a mistaken replace loses no data.
 */
@Command(name = "replace-instance", mixinStandardHelpOptions = true,
        description = {"Give one identity of a stateful app fresh volumes on another node.",
                "For an instance whose local volume's node is gone for good; its old volumes are released, not destroyed."},
        footerHeading = "%nExample:%n", footer = "  berth app replace-instance /team-a/db db-1 --wait")
public final class AppReplaceInstance implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
    String id;

    @Parameters(index = "1", paramLabel = "IDENTITY", description = "The identity to replace, e.g. db-1.")
    String identity;

    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        Gateway gateway = berth.gateway();
        Instant deadline = Instant.now().plus(waitOptions.timeout());
        JsonNode app = gateway.post(AppPath.of(id, "/instances/" + ApiPath.segment(identity) + "/replace"), null);
        long version = app.path("version").asLong();
        berth.terminal().out().println("replacing " + identity + " of " + AppPath.id(id) + " with fresh volumes (version "
                + version + ")");
        if (waitOptions.enabled()) {
            new DeploymentWatch(gateway, berth.terminal().out()).await(AppPath.id(id), version, deadline);
        }
        return 0;
    }
}
