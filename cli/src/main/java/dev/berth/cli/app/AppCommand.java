package dev.berth.cli.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code berth app …}: the group of commands on apps; alone it shows their usage. */
@Command(name = "app", mixinStandardHelpOptions = true,
        description = "List, show, deploy, scale, restart and delete apps.",
        subcommands = {AppList.class, AppShow.class, AppDeploy.class, AppScale.class, AppRestart.class,
                AppDelete.class, AppVersions.class, AppDiff.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  berth app list", "  berth app deploy -f web.json --wait", "  berth app scale /team-a/web 3"})
public final class AppCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 1;
    }
}
