package dev.berth.cli.completion;

import dev.berth.cli.Berth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The completion script, loaded into a real bash and asked what it offers. */
class CompletionCommandTest {
    @TempDir
    Path dir;

    private static String script(String shell) {
        StringWriter out = new StringWriter();
        int exit = Berth.run(new String[] {"completion", shell}, Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()), false);
        assertEquals(0, exit);
        return out.toString();
    }

    /** What bash's completion offers for the words typed so far (the last one being completed). */
    private List<String> offered(String... words) throws Exception {
        Path script = dir.resolve("berth.bash");
        Files.writeString(script, script("bash"));
        String typed = String.join(" ", words);
        String quoted = Arrays.stream(words).map(word -> "'" + word + "'").collect(Collectors.joining(" "));
        // compopt only works while bash itself runs a completion; outside one it is a no-op here.
        String probe = "source " + script + "\n"
                + "compopt() { :; }\n"
                + "COMP_WORDS=(" + quoted + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + typed + "'; COMP_POINT=${#COMP_LINE}\n"
                + "_complete_berth\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process bash = new ProcessBuilder("bash", "-c", probe).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), output);
        return Arrays.stream(output.split("\n")).map(String::strip).filter(word -> !word.isEmpty()).toList();
    }

    @Test
    void bashCompletesACommand() throws Exception {
        assertEquals(List.of("volume", "volumes"), offered("berth", "vol"));
    }

    @Test
    void bashCompletesASubcommandOfAGroup() throws Exception {
        List<String> offered = offered("berth", "app", "ro");

        assertEquals(List.of("rollback"), offered);
    }

    @Test
    void bashCompletesTheOutputFormats() throws Exception {
        assertEquals(List.of("table", "json", "yaml"), offered("berth", "node", "list", "-o", ""));
    }

    @Test
    void zshLoadsItsBashEmulationFirst() {
        String zsh = script("zsh");

        assertTrue(zsh.startsWith("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"), zsh);
        assertTrue(zsh.contains("_picocli_berth"), zsh);
    }
}
