package dev.berth.cli.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.berth.cli.Berth;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import dev.berth.cli.Query;
import dev.berth.cli.app.AppPath;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.OutputFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * {@code berth events}: Berth's public event stream ({@code GET /v1/events}), one line per event. With
 * {@code -f} it follows new events until Ctrl-C. Without it, it prints the events held since
 * {@code --since} (default: all the topic holds) and stops once the stream has been quiet for
 * {@link #CAUGHT_UP}: the stream itself never ends, and says nothing when it has caught up, so a pause
 * is the only sign there is.
 */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Print Berth's events; -f follows new ones.",
        footerHeading = "%nExamples:%n",
        footer = {"  berth events --type dev.berth.deployment.", "  berth events -f --app /team-a/web -o json"})
public final class EventsCommand implements java.util.concurrent.Callable<Integer> {
    static final Duration CAUGHT_UP = Duration.ofSeconds(2);

    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Option(names = {"-f", "--follow"}, description = "Follow new events until Ctrl-C (starts with new ones unless --since).")
    boolean follow;

    @Option(names = "--since", paramLabel = "ID", description = "Start after this event id (-1: from the earliest held).")
    String since;

    @Option(names = "--type", description = "Only events whose type starts with this, e.g. dev.berth.task.; may repeat.")
    List<String> types;

    @Option(names = "--team", description = "Only this team's events; may repeat.")
    List<String> teams;

    @Option(names = "--subject", description = "Only events whose subject starts with this, e.g. apps/team-a/web; may repeat.")
    List<String> subjects;

    @Option(names = "--app", description = "Only events about this app: its own, its tasks', deployments' and volumes'; may repeat.")
    List<String> apps;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        PrintWriter out = berth.terminal().out();
        String start = since != null ? since : follow ? null : "-1";
        Set<String> appIds = apps == null ? Set.of() : apps.stream().map(AppPath::id).collect(Collectors.toSet());
        String path = "/v1/events" + new Query().add("since", start).addAll("type", types).addAll("team", teams)
                .addAll("subject", subjects);
        BlockingQueue<ServerSentEvents.Event> events = new ArrayBlockingQueue<>(1024);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                berth.gateway().streamLines(path, new ServerSentEvents(event -> {
                    try {
                        events.put(event);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CliFailure(ExitCode.OK, "stopped");
                    }
                }));
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "berth-events");
        reader.setDaemon(true);
        reader.start();
        try {
            while (true) {
                ServerSentEvents.Event event = events.poll(follow ? 1 : CAUGHT_UP.toMillis(), follow ? TimeUnit.DAYS : TimeUnit.MILLISECONDS);
                if (failure.get() != null && event == null) {
                    throw failure.get();
                }
                if (event == null) {
                    if (!reader.isAlive() || !follow) {
                        return 0;
                    }
                    continue;
                }
                JsonNode cloudEvent = parse(event);
                if (appIds.isEmpty() || appIds.contains(cloudEvent.path("data").path("appId").asText())) {
                    out.println(output.item(cloudEvent.isMissingNode() ? Json.MAPPER.getNodeFactory().textNode(event.data())
                            : cloudEvent, line(event, cloudEvent)));
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            reader.interrupt();
        }
    }

    /** The event's CloudEvent, or a missing node when its data is not JSON (printed as it came). */
    static JsonNode parse(ServerSentEvents.Event event) {
        try {
            JsonNode cloudEvent = Json.MAPPER.readTree(event.data());
            return cloudEvent == null ? MissingNode.getInstance() : cloudEvent;
        } catch (java.io.IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** "42  2026-12-07T09:00:00Z  dev.berth.task.state  tasks/team-a_web.7b7d…". */
    static String line(ServerSentEvents.Event event, JsonNode cloudEvent) {
        if (cloudEvent.isMissingNode()) {
            return event.id() + "  " + event.type() + "  " + event.data();
        }
        return event.id() + "  " + Json.text(cloudEvent, "time") + "  " + event.type() + "  " + Json.text(cloudEvent, "subject");
    }
}
