package dev.berth.gateway.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.gateway.GatewayConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Refuses a request whose declared body exceeds {@code berth.gateway.max-body-bytes} with 413 as
 * problem+json, before any of it is read. Without this, Quarkus's own limit
 * ({@code quarkus.http.limits.max-body-size}, kept above ours as a backstop for bodies sent
 * without a length) answers a bare 413 with no body, unlike every other error of the API.
 */
@Singleton
public class BodyLimit {
    // Before the REST layer's routes, which read the body.
    private static final int PRIORITY = 100;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    void register(@Observes Filters filters) {
        filters.register(request -> {
            String length = request.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredOver(length)) {
                request.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                        .putHeader(HttpHeaders.CONNECTION, "close") // the unread body stays on the socket
                        .end(problem(request.normalizedPath()));
            } else {
                request.next();
            }
        }, PRIORITY);
    }

    private boolean declaredOver(String length) {
        try {
            return Long.parseLong(length.trim()) > config.maxBodyBytes();
        } catch (NumberFormatException e) {
            return false; // a malformed length is the HTTP layer's to refuse
        }
    }

    private String problem(String path) {
        Problem problem = Problem.of(413, "too-large", "Request too large",
                "a request body may be at most " + config.maxBodyBytes() + " bytes").withInstance(path);
        try {
            return json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem document is always serialisable", e);
        }
    }
}
