package dev.berth.cli.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code berth node …}: the nodes, and an administrator's drain and undrain. */
@Command(name = "node", aliases = "nodes", mixinStandardHelpOptions = true, description = "List nodes; drain and undrain them.",
        subcommands = {NodeList.class, NodeDrain.class, NodeDrain.Undrain.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n", footer = {"  berth node list", "  berth node drain node-1"})
public final class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 1;
    }
}
