package dev.berth.cli.app;

import dev.berth.cli.CommandGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth app …}: the group of commands on apps; alone it shows their usage. */
@Command(name = "app", mixinStandardHelpOptions = true,
        description = "List, show, deploy, diff, scale, restart, roll back and delete apps.",
        subcommands = {AppList.class, AppShow.class, AppDeploy.class, AppScale.class, AppRestart.class,
                AppRollback.class, AppReplaceInstance.class, AppDelete.class, AppVersions.class, AppDiff.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  berth app list", "  berth app deploy -f web.json --wait", "  berth app scale /team-a/web 3"})
public final class AppCommand extends CommandGroup {
}
