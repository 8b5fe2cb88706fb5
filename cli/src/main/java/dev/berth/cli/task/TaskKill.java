package dev.berth.cli.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.Query;
import dev.berth.cli.api.ApiPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code berth task kill ID}: kills a task; a replacement starts unless {@code --scale} takes the instance away. */
@Command(name = "kill", mixinStandardHelpOptions = true,
        description = "Kill a task (a replacement starts, unless --scale).",
        footerHeading = "%nExample:%n", footer = "  berth task kill team-a_web.7b7d… --scale")
public final class TaskKill implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TASK", description = "The task's id.")
    String id;

    @Option(names = "--scale", description = "Keep one instance fewer instead of replacing the task.")
    boolean scale;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        String path = ApiPath.of("tasks", id, "/kill")
                + new Query().add("scale", scale ? "true" : null);
        JsonNode answer = berth.gateway().post(path, null);
        berth.terminal().out().println("killed " + id + (scale
                ? " and scaled its app down (version " + answer.path("appVersion").asLong() + ")"
                : "; a replacement starts"));
        return 0;
    }
}
