package dev.berth.cli.volume;

import dev.berth.cli.CommandGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth volume …}: the persistent volumes of stateful apps, where each lives, who holds it, and what it went through. */
@Command(name = "volume", aliases = "volumes", mixinStandardHelpOptions = true,
        description = "List, show and delete stateful apps' volumes; show a volume's history.",
        subcommands = {VolumeList.class, VolumeShow.class, VolumeHistory.class, VolumeDelete.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  berth volume list --app /team-a/db", "  berth volume history team-a_db.db-0.data"})
public final class VolumeCommand extends CommandGroup {
}
