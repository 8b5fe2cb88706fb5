package dev.berth.cli.deployment;

import dev.berth.cli.CommandGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth deployment …}: the roll-outs of apps' changes, and a person's promote or rollback of one. */
@Command(name = "deployment", aliases = "deployments", mixinStandardHelpOptions = true,
        description = "List and show deployments; promote, roll back or cancel a paused or running one.",
        subcommands = {DeploymentList.class, DeploymentShow.class, DeploymentActions.Promote.class,
                DeploymentActions.Rollback.class, DeploymentActions.Cancel.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  berth deployment list --app /team-a/web", "  berth deployment promote 2f0c…"})
public final class DeploymentCommand extends CommandGroup {
}
