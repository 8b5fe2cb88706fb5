package dev.berth.gateway.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.gateway.GatewayConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import java.util.Map;

/**
 * Refuses a request line over {@code berth.gateway.max-request-line-bytes} with 414 and header lines
 * over {@code berth.gateway.max-header-bytes} with 431, as problem+json like every other error.
 * <p>
 * Why here and not in the HTTP layer: Vert.x answers a line or headers over its own limits from its
 * default invalid-request handler, a bare status with no body, before any route runs, and Quarkus
 * gives an application no way to replace that handler. So the HTTP layer's limits
 * ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}) are set well above
 * Berth's (64 KiB each), and Berth's are kept here, ahead of every route. Only a request past those
 * outer limits, or one HTTP cannot parse at all, still gets the bare status.
 */
@Singleton
public class RequestHeadLimits {
    // An instance echoes the path; one this long is itself the problem and stays out of the answer.
    private static final int LONGEST_INSTANCE = 256;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    /**
     * The first of Berth's routes, so a request too large to read is refused as such whoever sends it:
     * ahead of auth/AuthRefusals (also at the router's first order, installed by a later observer: routes
     * of one order run in the order they were added) and of every filter (authentication, BodyLimit).
     */
    void install(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE) Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext request) {
        HttpServerRequest http = request.request();
        int line = requestLineBytes(http);
        int headers = headerBytes(http);
        if (line > config.maxRequestLineBytes()) {
            FilterAnswers.refuse(request, json, withPath(Problem.of(414, "uri-too-long", "URI too long",
                    "the request line (method, path, query and version) is " + line + " bytes; it may be at most "
                            + config.maxRequestLineBytes() + ": send fewer or shorter query parameters"), http));
        } else if (headers > config.maxHeaderBytes()) {
            FilterAnswers.refuse(request, json, withPath(Problem.of(431, "headers-too-large",
                    "Request header fields too large", "the request's headers are " + headers
                            + " bytes; they may be at most " + config.maxHeaderBytes() + " in all"), http));
        } else {
            request.next();
        }
    }

    /** As the HTTP layer counts it: {@code METHOD SP target SP version}, without the line's end. */
    static int requestLineBytes(HttpServerRequest http) {
        return http.method().name().length() + 1 + http.uri().length() + 1 + version(http.version()).length();
    }

    /** As the HTTP layer counts them: each {@code name: value} line, without its end. */
    static int headerBytes(HttpServerRequest http) {
        int bytes = 0;
        for (Map.Entry<String, String> header : http.headers()) {
            bytes += header.getKey().length() + 2 + header.getValue().length();
        }
        return bytes;
    }

    private static String version(HttpVersion version) {
        return switch (version == null ? HttpVersion.HTTP_1_1 : version) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2.0";
        };
    }

    private static Problem withPath(Problem problem, HttpServerRequest http) {
        String path = http.path();
        return path != null && path.length() <= LONGEST_INSTANCE ? problem.withInstance(path) : problem;
    }
}
