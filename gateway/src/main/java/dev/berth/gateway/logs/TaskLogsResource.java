package dev.berth.gateway.logs;

import dev.berth.contracts.agent.AgentPaths;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.view.ClusterView;
import io.smallrye.mutiny.Multi;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A task's stdout or stderr, read from the agent of the node it runs (or ran) on and passed through
 * as it arrives: {@code GET /v1/tasks/{id}/logs?stream=stdout&tail=100&follow=false}. The gateway
 * finds the node in the task's record and the agent's address in the node's latest report; it never
 * holds a log whole, and never blocks a thread while one is followed.
 */
@Path("/v1/tasks")
@Tag(name = "tasks")
public class TaskLogsResource {
    private static final String DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8";

    @Inject
    ClusterView view;

    @Inject
    GatewayConfig config;

    @Inject
    AgentLogClient agents;

    @Inject
    Caller caller;

    @GET
    @Path("{id}/logs")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "A task's stdout or stderr, from its node's agent")
    public RestMulti<Buffer> logs(@PathParam("id") String taskId, @QueryParam("stream") String stream,
                                  @QueryParam("tail") String tail, @QueryParam("follow") String follow,
                                  @Context HttpServerResponse response) {
        LogQuery query = query(stream, tail, follow);
        caller.mustRead();
        TaskRecord task = view.lastKnownTask(taskId).filter(t -> caller.sees(t.appId())).orElseThrow(() -> ProblemException.notFound("no task " + taskId
                + " (a task is known while it runs, and for a while after it ended)"));
        ClusterView.NodeEntry node = view.node(task.nodeId()).orElseThrow(() -> unavailable("the node "
                + task.nodeId() + " of task " + taskId + " has not reported to the gateway, so its agent's address "
                + "is unknown; try again once it has"));
        URI agentUrl = agentUrl(node, taskId);
        URI logs = URI.create(agentUrl.toString().replaceAll("/+$", "") + AgentPaths.taskLogs(taskId) + "?"
                + query.toQueryString());
        return RestMulti.fromUniResponse(agents.open(logs, describe(node, agentUrl)),
                log -> log.body().onFailure().recoverWithMulti(e -> brokenOff(e, response)),
                log -> Map.of("Content-Type", List.of(contentType(log)),
                        // Task output is not ours to trust: a browser must not take it for HTML.
                        "X-Content-Type-Options", List.of("nosniff"),
                        "Cache-Control", List.of("no-store")),
                log -> 200);
    }

    /** Plain text whatever the agent says, with its charset when it names one. */
    private static String contentType(AgentLogClient.AgentLog log) {
        String type = log.contentType();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/plain") ? type : DEFAULT_CONTENT_TYPE;
    }

    /**
     * The agent's answer failed part-way. Before anything was sent the failure becomes the answer (a
     * problem); after, the reader's connection is closed, so it sees a broken answer rather than a
     * log that looks complete; closing it cancels this stream as a reader leaving would.
     */
    private static Multi<Buffer> brokenOff(Throwable failure, HttpServerResponse response) {
        if (!response.headWritten()) {
            return Multi.createFrom().failure(failure);
        }
        response.reset();
        return Multi.createFrom().nothing();
    }

    private static LogQuery query(String stream, String tail, String follow) {
        LogQuery.Result result = LogQuery.parse(stream, tail, follow);
        if (result instanceof LogQuery.Invalid invalid) {
            throw new ProblemException(Problem.of(400, "invalid-log-request", "Invalid log request",
                    invalid.errors().stream().map(e -> e.message()).reduce((a, b) -> a + "; " + b).orElse(""))
                    .withErrors(invalid.errors()));
        }
        return ((LogQuery.Valid) result).query();
    }

    private static URI agentUrl(ClusterView.NodeEntry node, String taskId) {
        String url = node.report().agentUrl();
        if (url == null || url.isBlank()) {
            throw unavailable("the agent of node " + node.report().nodeId() + " (task " + taskId
                    + ") reports no address to read logs from");
        }
        try {
            URI uri = URI.create(url.strip());
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ProblemException(Problem.of(502, "agent-unreachable", "Agent unreachable",
                    "the agent of node " + node.report().nodeId() + " reports the address '" + url
                            + "', which is not an http URL; check the agent's configuration"));
        }
    }

    /** How problems name the agent; says so when the node has also gone quiet, the likelier cause. */
    private String describe(ClusterView.NodeEntry node, URI agentUrl) {
        String agent = "the agent of node " + node.report().nodeId() + " at " + agentUrl;
        Instant now = Instant.now();
        return node.reachable(now, config.nodeTimeout()) ? agent
                : agent + " (not heard from for " + Duration.between(node.lastSeen(), now).toSeconds() + " s)";
    }

    private static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "agent-unknown", "Agent unknown", detail),
                Duration.ofSeconds(5));
    }
}
