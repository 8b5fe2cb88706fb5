package dev.berth.cli;

import java.util.List;

/**
 * Why a command stops early, as lines for a person and the exit code for a script. Commands throw it
 * from any depth; {@link Berth} is the one place that prints it and turns it into the exit code, so no
 * command prints an error of its own or calls {@code System.exit}.
 */
public final class CliFailure extends RuntimeException {
    private final ExitCode exitCode;
    private final List<String> lines;

    public CliFailure(ExitCode exitCode, List<String> lines) {
        super(String.join("\n", lines));
        this.exitCode = exitCode;
        this.lines = List.copyOf(lines);
    }

    public CliFailure(ExitCode exitCode, String line) {
        this(exitCode, List.of(line));
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** What to print on standard error, one entry a line. */
    public List<String> lines() {
        return lines;
    }
}
