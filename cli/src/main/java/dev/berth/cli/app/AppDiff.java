package dev.berth.cli.app;

import dev.berth.cli.Berth;
import dev.berth.cli.api.Answer;
import dev.berth.cli.api.Gateway;
import dev.berth.cli.api.Problem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code berth app diff -f FILE|DIR}: what {@code deploy -f} with the same files would change, read
 * only — new apps, and for each existing one the fields whose values differ. Nothing is sent but GETs.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Show what deploy -f would change, without changing anything.",
                "Compares the fields each file sets with the app as it runs now."},
        footerHeading = "%nExample:%n", footer = "  berth app diff -f apps/")
public final class AppDiff implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|DIR",
            description = "A definition file, or a directory of them; may repeat.")
    List<Path> files;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        Gateway gateway = berth.gateway();
        PrintWriter out = berth.terminal().out();
        for (DefinitionFiles.Definition definition : DefinitionFiles.read(files)) {
            Answer current = gateway.getAnswer(AppPath.of(definition.id(), ""));
            if (current.status() == 404) {
                out.println(definition.id() + ": new app (" + definition.file() + ")");
                continue;
            }
            if (!current.ok()) {
                throw Problem.of(current).failure(gateway.baseUrl());
            }
            List<DefinitionDiff.Change> changes = DefinitionDiff.between(current.json(), definition.json());
            if (changes.isEmpty()) {
                out.println(definition.id() + ": no changes");
                continue;
            }
            out.println(definition.id() + ": " + changes.size() + (changes.size() == 1 ? " change" : " changes")
                    + " (version " + current.json().path("version").asText() + ")");
            changes.forEach(change -> out.println("  " + change.line()));
        }
        return 0;
    }
}
