package dev.berth.cli.task;

import dev.berth.cli.CommandGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth task …}: the tasks the scheduler runs, and killing one. */
@Command(name = "task", mixinStandardHelpOptions = true, description = "List and kill tasks.",
        subcommands = {TaskList.class, TaskShow.class, TaskKill.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n", footer = {"  berth task list --app /team-a/web", "  berth task kill team-a_web.7b7d…"})
public final class TaskCommand extends CommandGroup {
}
