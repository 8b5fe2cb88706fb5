package dev.berth.cli.deployment;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code berth deployment …}: the roll-outs of apps' changes, and a person's promote or rollback of one. */
@Command(name = "deployment", aliases = "deployments", mixinStandardHelpOptions = true,
        description = "List deployments; promote or roll back a paused or running one.",
        subcommands = {DeploymentList.class, DeploymentPromote.class, DeploymentRollback.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  berth deployment list --app /team-a/web", "  berth deployment promote 2f0c…"})
public final class DeploymentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 1;
    }
}
