package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.api.Gateway;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * A command that changes one app (scale, restart, rollback, replace-instance): it sends its request,
 * says what the scheduler accepted and at which version, and with {@code --wait} follows that version
 * until it runs. The timeout counts from before the request, so {@code --timeout} bounds the whole
 * command, not only its wait.
 */
abstract class AppChange implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
    String id;

    @Mixin
    WaitOptions waitOptions;

    /** Sends the change; answers the app at its new version, as the gateway does. */
    abstract JsonNode send(Gateway gateway);

    /** What was accepted, for a person: "scaled /team-a/web to 3 instances (version 4)". */
    abstract String accepted(long version);

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        Gateway gateway = berth.gateway();
        Instant deadline = Instant.now().plus(waitOptions.timeout());
        long version = send(gateway).path("version").asLong();
        berth.terminal().out().println(accepted(version));
        if (waitOptions.enabled()) {
            new DeploymentWatch(gateway, berth.terminal().out()).await(AppPath.id(id), version, deadline);
        }
        return 0;
    }
}
