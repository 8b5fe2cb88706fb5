package dev.berth.gateway.logs;

import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.auth.ServiceIdentity;
import dev.berth.gateway.problem.ProblemException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientRequest;
import io.vertx.mutiny.core.http.HttpClientResponse;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.berth.gateway.problem.UpstreamAnswers.describe;
import static dev.berth.gateway.problem.UpstreamAnswers.detailOf;
import static dev.berth.gateway.problem.UpstreamAnswers.problem;

/**
 * Asks a node agent for a task's log, without blocking: one Vert.x HTTP client for the gateway,
 * whose answers are streamed on as they arrive (never read whole: a followed log can run for hours).
 * Every way the agent can fail to answer becomes a problem an operator can act on.
 *
 * <p>The agent answers only a Berth service identity, so every request carries the gateway's own
 * service token ({@link ServiceIdentity}), never the caller's: the caller's right to the task (its
 * team) was checked before this is called.
 */
@ApplicationScoped
public class AgentLogClient {
    private static final Logger LOG = Logger.getLogger(AgentLogClient.class);
    /**
     * Connections per agent. A followed log holds one for as long as it is read, so Vert.x's default
     * of 5 would leave the sixth reader of a node waiting.
     */
    private static final int CONNECTIONS_PER_AGENT = 256;

    @Inject
    Vertx vertx;

    @Inject
    GatewayConfig config;

    @Inject
    ServiceIdentity identity;

    private HttpClient client;

    /**
     * A log the agent has started to send (200): its content type, and the body as it arrives, which
     * fails with a 502 problem if the agent breaks it off.
     */
    public record AgentLog(String contentType, Multi<Buffer> body) {
    }

    /**
     * Opens {@code url} on the agent. The item comes once the agent has answered 200; anything else
     * fails with a {@link ProblemException}: the agent's own 400 and 404 (with its detail), 502 when
     * it cannot be reached or answers otherwise, 504 when it does not answer in time.
     *
     * @param agent how to name the agent in a problem's detail ("the agent of node-1 at http://…")
     */
    public Uni<AgentLog> open(URI url, String agent) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString());
        Duration answerTimeout = config.agentAnswerTimeout();
        return identity.authorization()
                .onFailure().transform(e -> problem(502, "no-service-identity", "Gateway has no service identity",
                        "the gateway could not get its own service token from Keycloak to call " + agent + ": "
                                + describe(e) + ". Check the gateway's client secret "
                                + "(QUARKUS_OIDC_CLIENT_CREDENTIALS_SECRET) and the realm (docs/auth.md)"))
                .onItem().transformToUni(authorization -> client().request(
                        request.putHeader(HttpHeaders.AUTHORIZATION, authorization)))
                .onItem().transformToUni(sent -> sent.send()
                        .ifNoItem().after(answerTimeout).failWith(() -> {
                            sent.reset();
                            return problem(504, "agent-timeout", "Agent did not answer",
                                    agent + " did not answer within " + answerTimeout.toSeconds() + " s");
                        }))
                .onItem().transformToUni(response -> answer(response, agent))
                .onFailure(e -> !(e instanceof ProblemException)).transform(e -> problem(502, "agent-unreachable",
                        "Agent unreachable", "could not reach " + agent + ": " + describe(e)));
    }

    private Uni<AgentLog> answer(HttpClientResponse response, String agent) {
        int status = response.statusCode();
        if (status == 200) {
            // Held until the caller reads it, so nothing arrives before anyone listens.
            response.pause();
            String contentType = response.getHeader("Content-Type");
            AtomicBoolean readerLeft = new AtomicBoolean();
            Multi<Buffer> body = response.toMulti()
                    .onFailure().transform(e -> {
                        if (!readerLeft.get()) {
                            LOG.infof("log stream from %s broke off: %s", agent, describe(e));
                        }
                        return problem(502, "agent-broke-off", "Agent broke off",
                                agent + " broke off the log: " + describe(e));
                    })
                    // The reader went away: close the agent's connection, or a followed log streams on.
                    .onCancellation().invoke(() -> {
                        readerLeft.set(true);
                        response.request().reset();
                    });
            return Uni.createFrom().item(new AgentLog(contentType, body));
        }
        return response.body().onItem().transform(body -> {
            String detail = detailOf(body);
            throw switch (status) {
                case 404 -> problem(404, "not-found", "Not found", agent + " has no such log: " + detail);
                case 400 -> problem(400, "invalid-log-request", "Invalid log request",
                        agent + " refused the request: " + detail);
                // The gateway's own identity was refused: an installation fault, not the caller's.
                case 401, 403 -> problem(502, "agent-refused-gateway", "Agent refused the gateway",
                        agent + " refused the gateway's service identity (" + status + "): " + detail
                                + ". The gateway's client (berth-gateway) needs a service account with the realm "
                                + "role berth-service, and the agent must trust the same realm (docs/auth.md)");
                default -> problem(502, "agent-error", "Agent failed", agent + " answered " + status + ": " + detail);
            };
        });
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = vertx.createHttpClient(
                    new HttpClientOptions().setConnectTimeout((int) config.agentConnectTimeout().toMillis()),
                    new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_AGENT));
        }
        return client;
    }

    @PreDestroy
    synchronized void close() {
        if (client != null) {
            client.closeAndForget();
        }
    }
}
