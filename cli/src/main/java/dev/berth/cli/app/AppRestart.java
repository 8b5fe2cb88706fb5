package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.api.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code berth app restart ID}: replaces every instance with a fresh task, as a deployment. */
@Command(name = "restart", mixinStandardHelpOptions = true, description = "Replace every instance of an app with a fresh task.",
        footerHeading = "%nExample:%n", footer = "  berth app restart /team-a/web --wait")
public final class AppRestart implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The app's id.")
    String id;

    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        Gateway gateway = berth.gateway();
        Instant deadline = Instant.now().plus(waitOptions.timeout());
        JsonNode app = gateway.post(AppPath.of(id, "/restart"), null);
        long version = app.path("version").asLong();
        berth.terminal().out().println("restarting " + AppPath.id(id) + " (version " + version + ")");
        if (waitOptions.enabled()) {
            new DeploymentWatch(gateway, berth.terminal().out()).await(AppPath.id(id), version, deadline);
        }
        return 0;
    }
}
