package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import dev.berth.cli.Query;
import dev.berth.cli.api.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth app rollback ID [--to VERSION]}: brings back an earlier version's whole definition (its
 * instance count too) as a new version, rolled out as a deployment. Without {@code --to} it is
 * the version before the current one — "undo the last change", whatever that change was, so the
 * command never guesses which earlier version a person meant.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Bring back an earlier version of an app (default: the one before the current one).",
                "It comes back as a new version, rolled out as a deployment."},
        footerHeading = "%nExamples:%n",
        footer = {"  berth app rollback /team-a/web --wait", "  berth app rollback /team-a/web --to 2"})
public final class AppRollback extends AppChange {
    @Option(names = "--to", paramLabel = "VERSION", description = "The version to bring back (berth app versions lists them).")
    Long version;

    @Option(names = "--force", description = "Replace a deployment of the app that is still running.")
    boolean force;

    private long target;

    @Override
    JsonNode send(Gateway gateway) {
        target = version != null ? version : previousVersion(gateway);
        return gateway.post(AppPath.of(id, "/rollback") + new Query().add("version", target)
                .add("force", force ? "true" : null), null);
    }

    @Override
    String accepted(long now) {
        return "rolling back " + AppPath.id(id) + " to version " + target + " (as version " + now + ")";
    }

    private long previousVersion(Gateway gateway) {
        // The first page of two, newest first: the current version and the one before it.
        JsonNode versions = gateway.get(AppPath.of(id, "/versions") + "?limit=2").path("versions");
        if (versions.size() < 2) {
            throw new CliFailure(ExitCode.REFUSED, AppPath.id(id) + " has no version before its current one to roll back to");
        }
        return versions.get(1).path("version").asLong();
    }
}
