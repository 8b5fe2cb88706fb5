package dev.berth.cli.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import dev.berth.cli.Query;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.app.AppPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code berth logs TASK|APP}: a task's output through the gateway ({@code GET /v1/tasks/{id}/logs}),
 * printed as it arrives; with {@code -f} it stays open for what the task writes next, like
 * {@code tail -f}, until the task's log ends or the person hangs up. An app (an id with a "/") prints
 * the output of each of its current tasks, read side by side, each line prefixed with its instance
 * (#0) or identity (db-0), so the lines interleave as the tasks write them.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a task's output, or all of an app's tasks'.",
        footerHeading = "%nExamples:%n",
        footer = {"  berth logs team-a_web.7b7d… --tail 20", "  berth logs team-a_web.7b7d… --stderr -f",
                "  berth logs /team-a/web -f              (every task of the app, each line prefixed)"})
public final class LogsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TASK|APP", description = "A task's id (berth task list shows them), or an app's id (/team-a/web).")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Keep printing what the task writes next.")
    boolean follow;

    @Option(names = "--stderr", description = "Its standard error instead of its standard output.")
    boolean stderr;

    @Option(names = "--tail", paramLabel = "N", description = "Start with the last N lines (0–10000; the gateway's default: 100).")
    Integer tail;

    @Override
    public Integer call() throws InterruptedException {
        Berth berth = Berth.of(spec);
        PrintWriter out = berth.terminal().out();
        if (!id.contains("/")) {
            berth.gateway().streamLines(logPath(id), line -> {
                out.println(line);
                out.flush();
            });
            return 0;
        }
        Map<String, String> tasks = tasksOf(berth);
        List<Thread> readers = new ArrayList<>();
        AtomicReference<CliFailure> firstFailure = new AtomicReference<>();
        int[] failed = {0};
        tasks.forEach((taskId, prefix) -> {
            Thread reader = new Thread(() -> {
                try {
                    berth.gateway().streamLines(logPath(taskId), line -> {
                        synchronized (out) {
                            out.println(prefix + line);
                            out.flush();
                        }
                    });
                } catch (CliFailure failure) {
                    // One task's log that cannot be read (its node is gone) must not hide the others'.
                    synchronized (out) {
                        failure.lines().forEach(line -> berth.terminal().err().println("berth: " + taskId + ": " + line));
                        berth.terminal().err().flush();
                        failed[0]++;
                    }
                    firstFailure.compareAndSet(null, failure);
                }
            }, "berth-logs-" + taskId);
            reader.setDaemon(true);
            reader.start();
            readers.add(reader);
        });
        for (Thread reader : readers) {
            reader.join();
        }
        if (failed[0] == tasks.size()) {
            throw firstFailure.get();
        }
        return 0;
    }

    private String logPath(String taskId) {
        return ApiPath.of("tasks", taskId, "/logs") + new Query()
                .add("stream", stderr ? "stderr" : null).add("tail", tail).add("follow", follow ? "true" : null);
    }

    /** The app's current tasks, each with the prefix its lines get: its identity (db-0) or its instance. */
    private Map<String, String> tasksOf(Berth berth) {
        JsonNode app = berth.gateway().get(AppPath.of(id, ""));
        Map<String, String> tasks = new LinkedHashMap<>();
        int width = 0;
        for (JsonNode task : app.path("tasks")) {
            String taskId = task.path("id").asText();
            String name = task.hasNonNull("identity") ? task.path("identity").asText() : "#" + task.path("instance").asInt();
            if (tasks.containsValue(name)) {
                // Two tasks of one instance (an old and its replacement, mid-roll): the id's end tells them apart.
                name += "~" + taskId.substring(Math.max(0, taskId.length() - 6));
            }
            tasks.put(taskId, name);
            width = Math.max(width, name.length());
        }
        if (tasks.isEmpty()) {
            throw new CliFailure(ExitCode.NOT_FOUND, AppPath.id(id) + " has no tasks now: berth task list --app "
                    + AppPath.id(id) + " --state terminal shows those that ended");
        }
        int padded = width;
        tasks.replaceAll((taskId, name) -> String.format("%-" + padded + "s | ", name));
        return tasks;
    }
}
