package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.ListCommand;
import dev.berth.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth app versions ID}: the versions the scheduler keeps of an app, newest first, and what made each. */
@Command(name = "versions", mixinStandardHelpOptions = true, description = "List an app's versions, newest first.",
        footerHeading = "%nExample:%n", footer = "  berth app versions /team-a/web")
public final class AppVersions extends ListCommand {
    @Parameters(paramLabel = "ID", description = "The app's id.")
    String id;

    public AppVersions() {
        super("versions", "No versions.");
    }

    @Override
    protected String path() {
        return AppPath.of(id, "/versions") + "?limit=1000";
    }

    @Override
    protected Table table() {
        return Table.of("VERSION", "CHANGE", "WHEN");
    }

    @Override
    protected String[] row(JsonNode version) {
        return new String[] {Json.text(version, "version"), Json.text(version, "change"), Json.text(version, "occurredAt")};
    }
}
