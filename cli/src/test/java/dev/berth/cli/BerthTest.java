package dev.berth.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BerthTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Berth.run(args, env, new PrintWriter(out), new PrintWriter(err), false);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run help = run(Map.of(), "--help");

        assertEquals(0, help.exit());
        for (String command : new String[] {"login", "logout", "whoami", "app"}) {
            assertTrue(help.out().contains(command), help.out());
        }
    }

    @Test
    void everyCommandsHelpHasAnExample() {
        List<List<String>> commands = new ArrayList<>();
        collect(Berth.commandTree(), new ArrayList<>(), commands);
        assertTrue(commands.size() > 30, commands.toString());
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Run help = run(Map.of(), args.toArray(String[]::new));

            assertEquals(0, help.exit(), command.toString());
            assertTrue(help.out().contains("Example"), command + ": " + help.out());
            assertTrue(help.out().contains("berth " + command.get(0)), command + ": " + help.out());
        }
    }

    /** Every command at every depth, by the names typed to reach it (picocli's own help command aside). */
    private static void collect(CommandLine parent, List<String> path, List<List<String>> into) {
        parent.getSubcommands().forEach((name, child) -> {
            if (name.equals(child.getCommandName()) && !name.equals("help")) {
                List<String> reached = new ArrayList<>(path);
                reached.add(name);
                into.add(reached);
                collect(child, reached, into);
            }
        });
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Run wrong = run(Map.of(), "app", "lst");

        assertEquals(1, wrong.exit());
        assertTrue(wrong.err().contains("'lst'"), wrong.err());
    }

    @Test
    void aMissingArgumentIsAUsageError() {
        assertEquals(1, run(Map.of(), "app", "scale", "/team-a/web").exit());
    }

    @Test
    void aGatewayThatDoesNotListenIsExitCodeFiveWithItsAddress(@org.junit.jupiter.api.io.TempDir java.nio.file.Path config)
            throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run run = run(Map.of("BERTH_GATEWAY", "http://127.0.0.1:" + closed, "BERTH_CONFIG_DIR", config.toString()),
                "app", "list");

        assertEquals(5, run.exit());
        assertTrue(run.err().contains("cannot connect to the gateway at http://127.0.0.1:" + closed), run.err());
    }

    @Test
    void aTimeoutMustBeADuration() {
        Run run = run(Map.of(), "app", "deploy", "-f", "x.json", "--timeout", "soon");

        assertEquals(1, run.exit());
        assertTrue(run.err().contains("not a duration"), run.err());
    }
}
