package dev.berth.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.api.ApiPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code berth node drain ID}: the node takes no new tasks and its tasks move elsewhere (administrators
 * only); {@link Undrain} lets it take tasks again. Both answer once the command is in Kafka.
 */
@Command(name = "drain", mixinStandardHelpOptions = true, description = "Move a node's tasks elsewhere and give it no new ones.",
        footerHeading = "%nExample:%n", footer = "  berth node drain node-1")
public final class NodeDrain implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NODE", description = "The node's id.")
    String id;

    @Override
    public Integer call() {
        return mode(spec, id, "drain");
    }

    static int mode(CommandSpec spec, String id, String action) {
        Berth berth = Berth.of(spec);
        JsonNode node = berth.gateway().post(ApiPath.of("nodes", id, "/" + action), null);
        berth.terminal().out().println(id + ": " + node.path("mode").asText());
        return 0;
    }

    /** {@code berth node undrain ID}. */
    @Command(name = "undrain", mixinStandardHelpOptions = true, description = "Let a drained node take new tasks again.",
            footerHeading = "%nExample:%n", footer = "  berth node undrain node-1")
    public static final class Undrain implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NODE", description = "The node's id.")
        String id;

        @Override
        public Integer call() {
            return mode(spec, id, "undrain");
        }
    }
}
