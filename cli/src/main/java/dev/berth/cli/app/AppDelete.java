package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code berth app delete ID}: deletes an app; its volumes are released and kept unless {@code --wipe}
 * (administrators only) destroys them with it — the one irreversible flag, so it is never a default.
 */
@Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true,
        description = "Delete an app (its volumes are kept unless --wipe).",
        footerHeading = "%nExamples:%n", footer = {"  berth app delete /team-a/web", "  berth app delete /team-a/db --wipe"})
public final class AppDelete implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The app's id.")
    String id;

    @Option(names = "--wipe", description = "Destroy the app's volumes and their data too (administrators only).")
    boolean wipe;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        JsonNode app = berth.gateway().delete(AppPath.of(id, wipe ? "?wipe=true" : ""));
        berth.terminal().out().println(("DELETED".equals(app.path("status").asText()) ? "deleted " : "deleting ")
                + AppPath.id(id) + (wipe ? " and destroying its volumes" : " (its volumes, if any, are kept)"));
        return 0;
    }
}
