package dev.berth.cli.node;

import dev.berth.cli.CommandGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth node …}: the nodes, and an administrator's drain and undrain. */
@Command(name = "node", aliases = "nodes", mixinStandardHelpOptions = true, description = "List nodes; drain and undrain them.",
        subcommands = {NodeList.class, NodeShow.class, NodeDrain.class, NodeDrain.Undrain.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n", footer = {"  berth node list", "  berth node drain node-1"})
public final class NodeCommand extends CommandGroup {
}
