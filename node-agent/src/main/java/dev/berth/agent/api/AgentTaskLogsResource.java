package dev.berth.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.agent.Agent;
import dev.berth.contracts.agent.AgentPaths;
import dev.berth.agent.AgentConfig;
import dev.berth.agent.logs.LogFeed;
import dev.berth.agent.logs.LogReader;
import dev.berth.agent.logs.LogStream;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.agent.task.TaskView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.unchecked.Unchecked;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A task's output: {@code GET /v1/agent/tasks/{taskId}/logs?stream=stdout|stderr&tail=100&follow=false},
 * as {@code text/plain}, the last {@code tail} lines across rotations and, with {@code follow=true},
 * what the task writes next (chunked) until it ends or the reader goes away. The gateway passes its
 * own {@code /v2/tasks/{id}/logs} on to this; an operator on the node can ask it directly.
 *
 * <p>Nothing here blocks the event loop: the method only checks the request and looks the task up
 * in memory; the files are read on worker threads, chunk by chunk as the reader takes them, and a
 * follow with nothing new waits on a timer, not on a thread.
 */
@Path(AgentPaths.TASK_LOGS)
public class AgentTaskLogsResource {
    private static final Logger LOG = Logger.getLogger(AgentTaskLogsResource.class);
    static final int DEFAULT_TAIL = 100;
    static final int MAX_TAIL = 10_000;
    /** How long a follow waits before looking for new output again: a person watching won't notice. */
    private static final Duration POLL = Duration.ofMillis(250);
    private static final String PROBLEM_JSON = "application/problem+json";

    @Inject
    Agent agent;

    @Inject
    AgentConfig config;

    @GET
    @Produces("text/plain; charset=utf-8")
    public RestMulti<byte[]> logs(@RestPath String taskId, @RestQuery String stream, @RestQuery String tail,
                                  @RestQuery String follow) {
        LogStream logStream = LogStream.named(stream == null ? "stdout" : stream).orElseThrow(() -> problem(400,
                "Bad Request", "stream must be stdout or stderr, was '" + stream + "'"));
        int lines = lines(tail);
        boolean following = following(follow);
        TaskSupervisor supervisor = agent.supervisor(); // null only while the agent starts
        TaskView task = (supervisor == null ? null : supervisor.find(taskId).orElse(null));
        if (task == null) {
            throw problem(404, "Not Found", "no task " + taskId + " on this agent (it knows the tasks it runs, "
                    + "and ended ones until their sandboxes are removed: berth.agent.sandbox-retention "
                    + config.sandboxRetention() + ", at most " + config.sandboxesKept() + " kept)");
        }
        Sandbox sandbox = sandboxOf(task);
        BooleanSupplier ended = () -> supervisor.find(taskId).map(t -> t.state().isTerminal()).orElse(true);
        Multi<byte[]> body = Multi.createFrom()
                .resource(Unchecked.supplier(() -> following ? LogReader.follow(sandbox, logStream, lines, ended)
                        : LogReader.read(sandbox, logStream, lines)), AgentTaskLogsResource::chunks)
                .withFinalizer(AgentTaskLogsResource::closeQuietly)
                // Subscription and every request for the next chunk (which reads the file) run on a
                // worker, never on the event loop that writes the answer.
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return RestMulti.fromMultiData(body)
                // Task output is not ours to trust: a browser must not take it for HTML.
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store")
                .build();
    }

    /** The task's sandbox where the agent said it is (only its output files are read here). */
    private Sandbox sandboxOf(TaskView task) {
        java.nio.file.Path runDir = Sandboxes.under(java.nio.file.Path.of(config.workDir())).runDir();
        return new Sandbox(task.taskId(), java.nio.file.Path.of(task.sandbox()), runDir);
    }

    /** The feed's chunks as they come; when there is nothing new yet, the next look is after a pause. */
    private static Multi<byte[]> chunks(LogFeed feed) {
        return Multi.createBy().repeating()
                .uni(() -> Uni.createFrom().item(Unchecked.supplier(() -> Chunk.next(feed)))
                        .onItem().transformToUni(chunk -> chunk.waiting()
                                ? Uni.createFrom().item(chunk).onItem().delayIt().by(POLL)
                                : Uni.createFrom().item(chunk)))
                .until(Chunk::last)
                .select().where(chunk -> chunk.bytes().length > 0)
                .map(Chunk::bytes);
    }

    /** One look at the feed: its bytes, or none yet, or none ever again. */
    private record Chunk(byte[] bytes, boolean last) {
        static Chunk next(LogFeed feed) throws IOException {
            byte[] bytes = feed.next();
            return new Chunk(bytes, bytes.length == 0 && feed.finished());
        }

        boolean waiting() {
            return bytes.length == 0 && !last;
        }
    }

    private static void closeQuietly(LogFeed feed) {
        try {
            feed.close();
        } catch (IOException e) {
            LOG.debugf(e, "closing %s", feed);
        }
    }

    private static int lines(String tail) {
        if (tail == null) {
            return DEFAULT_TAIL;
        }
        try {
            int lines = Integer.parseInt(tail.trim());
            if (lines >= 0 && lines <= MAX_TAIL) {
                return lines;
            }
        } catch (NumberFormatException e) {
            // refused below, with the same words as a number out of range
        }
        throw problem(400, "Bad Request", "tail must be a whole number of lines from 0 to " + MAX_TAIL
                + ", was '" + tail + "'");
    }

    private static boolean following(String follow) {
        if (follow == null || follow.equalsIgnoreCase("false")) {
            return false;
        }
        if (follow.equalsIgnoreCase("true")) {
            return true;
        }
        throw problem(400, "Bad Request", "follow must be true or false, was '" + follow + "'");
    }

    /**
     * An RFC 7807 problem, as the gateway answers its errors ({@code application/problem+json}); the
     * agent's API is small enough for this one resource to build its own.
     */
    private static WebApplicationException problem(int status, String title, String detail) {
        Problem problem = new Problem("https://berth.dev/problems/" + title.toLowerCase().replace(' ', '-'), title,
                status, detail);
        return new WebApplicationException(detail, Response.status(status).type(PROBLEM_JSON).entity(problem).build());
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Problem(String type, String title, int status, String detail) {
    }
}
