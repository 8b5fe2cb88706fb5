package dev.berth.cli.task;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code berth task …}: the tasks the scheduler runs, and killing one. */
@Command(name = "task", mixinStandardHelpOptions = true, description = "List and kill tasks.",
        subcommands = {TaskList.class, TaskKill.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n", footer = {"  berth task list --app /team-a/web", "  berth task kill team-a_web.7b7d…"})
public final class TaskCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 1;
    }
}
