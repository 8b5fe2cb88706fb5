package dev.berth.cli.completion;

import dev.berth.cli.Berth;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code berth completion bash|zsh}: prints a script that makes the shell complete berth's commands,
 * options and fixed values (the {@code -o} formats, the shells). It is generated from the very command
 * tree that parses the command line, so it can never offer a command that does not exist. zsh runs the
 * same script through its bash-completion emulation ({@code bashcompinit}), loaded first.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for bash or zsh.",
                "Load it in the shell's start file, e.g. ~/.bashrc or ~/.zshrc."},
        footerHeading = "%nExamples:%n",
        footer = {"  source <(berth completion bash)      # in ~/.bashrc", "  source <(berth completion zsh)       # in ~/.zshrc"})
public final class CompletionCommand implements Callable<Integer> {
    /** The shells there is a script for. */
    public enum Shell { bash, zsh }

    /** zsh's own loaders of bash-style completion: harmless when already loaded. */
    private static final String ZSH_PRELUDE = """
            autoload -U +X compinit && compinit
            autoload -U +X bashcompinit && bashcompinit
            """;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("berth", spec.root().commandLine());
        Berth.of(spec).terminal().out().print(shell == Shell.zsh ? ZSH_PRELUDE + script : script);
        return 0;
    }
}
