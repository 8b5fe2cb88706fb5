package dev.berth.gateway.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.auth.ServiceIdentity;
import dev.berth.gateway.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.berth.gateway.problem.UpstreamAnswers.describe;
import static dev.berth.gateway.problem.UpstreamAnswers.detailOf;
import static dev.berth.gateway.problem.UpstreamAnswers.problem;

/**
 * Asks the volume service for a volume's history: every attach, release, fence and refusal with its
 * node, task and fencing epoch, as its database keeps them. Why ask over HTTP rather than read it from
 * Kafka like the rest of the gateway's view: {@code berth.volume-events} is compacted to each volume's
 * latest state, so only the volume service's audit table still has the way a volume got there.
 *
 * <p>The volume service answers only a Berth service identity, so the request carries the gateway's
 * own token ({@link ServiceIdentity}); the caller's right to the volume (its team) was checked first.
 */
@ApplicationScoped
public class VolumeHistoryClient {
    @Inject
    Vertx vertx;

    @Inject
    GatewayConfig config;

    @Inject
    ServiceIdentity identity;

    private HttpClient client;

    /**
     * The history rows, oldest first, as the volume service gives them. Fails with a
     * {@link ProblemException}: 404 when the volume service has no such volume, 502 when it cannot be
     * reached or refuses the gateway, 504 when it does not answer in time.
     */
    public Uni<JsonNode> history(String volumeId) {
        String url = config.volumeServiceUrl().toString().replaceAll("/+$", "") + "/volumes/"
                + URLEncoder.encode(volumeId, StandardCharsets.UTF_8).replace("+", "%20") + "/history";
        String service = "the volume service at " + config.volumeServiceUrl();
        Duration answerTimeout = config.agentAnswerTimeout();
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url);
        return identity.authorization()
                .onFailure().transform(e -> problem(502, "no-service-identity", "Gateway has no service identity",
                        "the gateway could not get its own service token from Keycloak to call " + service + ": "
                                + describe(e)))
                .onItem().transformToUni(authorization -> client().request(
                        request.putHeader(HttpHeaders.AUTHORIZATION, authorization)))
                .onItem().transformToUni(sent -> sent.send().onItem().transformToUni(response -> response.body()
                                .map(body -> answer(response.statusCode(), body, volumeId, service)))
                        .ifNoItem().after(answerTimeout).failWith(() -> {
                            sent.reset();
                            return problem(504, "volume-service-timeout", "Volume service did not answer",
                                    service + " did not answer within " + answerTimeout.toSeconds() + " s");
                        }))
                .onFailure(e -> !(e instanceof ProblemException)).transform(e -> problem(502,
                        "volume-service-unreachable", "Volume service unreachable",
                        "could not reach " + service + " (berth.gateway.volume-service-url): " + describe(e)));
    }

    private static JsonNode answer(int status, Buffer body, String volumeId, String service) {
        return switch (status) {
            case 200 -> {
                try {
                    yield JsonCodec.mapper().readTree(body.toString());
                } catch (Exception e) {
                    throw problem(502, "volume-service-error", "Volume service failed",
                            service + " sent a history that is not JSON: " + describe(e));
                }
            }
            case 404 -> throw ProblemException.notFound("the volume service has no volume " + volumeId
                    + " (" + detailOf(body) + ")");
            case 401, 403 -> throw problem(502, "volume-service-refused-gateway", "Volume service refused the gateway",
                    service + " refused the gateway's service identity (" + status + "): " + detailOf(body)
                            + ". The gateway's client (berth-gateway) needs a service account with the realm role "
                            + "berth-service (docs/auth.md)");
            default -> throw problem(502, "volume-service-error", "Volume service failed",
                    service + " answered " + status + ": " + detailOf(body));
        };
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = vertx.createHttpClient(
                    new HttpClientOptions().setConnectTimeout((int) config.agentConnectTimeout().toMillis()));
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
