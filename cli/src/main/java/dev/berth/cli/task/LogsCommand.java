package dev.berth.cli.task;

import dev.berth.cli.Berth;
import dev.berth.cli.Query;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code berth logs TASK}: a task's output through the gateway ({@code GET /v1/tasks/{id}/logs}),
 * printed as it arrives; with {@code -f} it stays open for what the task writes next, like
 * {@code tail -f}, until the task's log ends or the person hangs up.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a task's output.",
        footerHeading = "%nExamples:%n",
        footer = {"  berth logs team-a_web.7b7d… --tail 20", "  berth logs team-a_web.7b7d… --stderr -f"})
public final class LogsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TASK", description = "The task's id (berth task list shows them).")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Keep printing what the task writes next.")
    boolean follow;

    @Option(names = "--stderr", description = "Its standard error instead of its standard output.")
    boolean stderr;

    @Option(names = "--tail", paramLabel = "N", description = "Start with the last N lines (0–10000; the gateway's default: 100).")
    Integer tail;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        PrintWriter out = berth.terminal().out();
        String path = "/v1/tasks/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/logs" + new Query()
                .add("stream", stderr ? "stderr" : null).add("tail", tail).add("follow", follow ? "true" : null);
        berth.gateway().streamLines(path, line -> {
            out.println(line);
            out.flush();
        });
        return 0;
    }
}
