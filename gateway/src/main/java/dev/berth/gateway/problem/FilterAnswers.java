package dev.berth.gateway.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Ends a request with a problem document from a route filter, ahead of the REST layer, where
 * {@link ProblemMappers} cannot answer: the refusals of requests too large to be read. The connection
 * is closed after the answer, since what was not read (a body, the rest of a request) is still on it.
 */
final class FilterAnswers {
    private FilterAnswers() {
    }

    static void refuse(RoutingContext request, ObjectMapper json, Problem problem) {
        request.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(serialised(json, problem));
    }

    private static String serialised(ObjectMapper json, Problem problem) {
        try {
            return json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem document is always serialisable", e);
        }
    }
}
