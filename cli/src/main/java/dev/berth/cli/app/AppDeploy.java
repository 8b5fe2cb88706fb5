package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import dev.berth.cli.api.Answer;
import dev.berth.cli.api.Gateway;
import dev.berth.cli.api.Problem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code berth app deploy -f FILE|DIR}: makes the gateway's apps what the files say — each definition
 * is created ({@code POST /v1/apps}) when its id is new and replaces the app's definition
 * ({@code PUT /v1/apps/{id}}) when it exists. A refused file does not stop the others (each refusal is
 * printed with its file); the exit code is the first refusal's. With {@code --wait} it then follows every
 * accepted change to its end.
 */
@Command(name = "deploy", aliases = "apply", mixinStandardHelpOptions = true,
        description = {"Create or update apps from Marathon JSON definitions.",
                "A directory applies every *.json in it, in name order."},
        footerHeading = "%nExamples:%n",
        footer = {"  berth app deploy -f web.json", "  berth app deploy -f apps/ --wait --timeout 10m"})
public final class AppDeploy implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|DIR",
            description = "A definition file, or a directory of them; may repeat.")
    List<Path> files;

    @Option(names = "--force", description = "Replace a deployment of the app that is still running (PUT ?force=true).")
    boolean force;

    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        Gateway gateway = berth.gateway();
        PrintWriter out = berth.terminal().out();
        PrintWriter err = berth.terminal().err();
        Instant deadline = Instant.now().plus(waitOptions.timeout());
        Map<String, Long> accepted = new LinkedHashMap<>();
        ExitCode first = ExitCode.OK;
        for (DefinitionFiles.Definition definition : DefinitionFiles.read(files)) {
            try {
                JsonNode app = apply(gateway, definition, out);
                accepted.put(definition.id(), app.path("version").asLong());
            } catch (CliFailure refused) {
                refused.lines().forEach(line -> err.println("berth: " + definition.file() + ": " + line));
                err.flush();
                first = first == ExitCode.OK ? refused.exitCode() : first;
            }
        }
        if (waitOptions.enabled()) {
            DeploymentWatch watch = new DeploymentWatch(gateway, out);
            accepted.forEach((id, version) -> watch.await(id, version, deadline));
        }
        return first.code();
    }

    private JsonNode apply(Gateway gateway, DefinitionFiles.Definition definition, PrintWriter out) {
        String path = AppPath.of(definition.id(), "");
        Answer existing = gateway.getAnswer(path);
        JsonNode app;
        if (existing.status() == 404) {
            app = gateway.post("/v1/apps", definition.json());
            out.println("created " + definition.id() + " (version " + app.path("version").asLong() + ")");
        } else if (existing.ok()) {
            app = gateway.put(path + (force ? "?force=true" : ""), definition.json());
            out.println("updated " + definition.id() + " (version " + app.path("version").asLong() + ")");
        } else {
            throw Problem.of(existing).failure(gateway.baseUrl());
        }
        out.flush();
        return app;
    }
}
