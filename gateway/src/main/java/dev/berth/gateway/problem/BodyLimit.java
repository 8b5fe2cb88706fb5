package dev.berth.gateway.problem;

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
    // Before the REST layer's routes, which read the body (after RequestHeadLimits: the head comes first).
    private static final int PRIORITY = 100;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    void register(@Observes Filters filters) {
        filters.register(request -> {
            String length = request.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredOver(length)) {
                FilterAnswers.refuse(request, json, Problem.of(413, "too-large", "Request too large",
                        "a request body may be at most " + config.maxBodyBytes() + " bytes")
                        .withInstance(request.normalizedPath()));
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
}
