package dev.berth.gateway.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.problem.Problem;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The 401 of a request without a valid token, as problem+json like every other error. Tokens are
 * verified before any resource runs (proactively), so these refusals never reach the REST layer's
 * exception mappers: they are answered here, on the HTTP router. Which check failed (signature,
 * expiry, issuer, audience) is logged at debug, not told to the caller.
 */
@ApplicationScoped
public class AuthRefusals {
    private static final Logger LOG = Logger.getLogger(AuthRefusals.class);

    @Inject
    ObjectMapper json;

    @Inject
    GatewayConfig config;

    void install(@Observes Router router) {
        if (!config.auth().enabled()) {
            LOG.warn("AUTHENTICATION IS OFF (berth.gateway.auth.enabled=false): anyone who reaches this gateway "
                    + "is an administrator. Use this only to measure what authentication costs.");
            return;
        }
        // Before authentication: a request with no bearer token at all would get Quarkus's bare
        // challenge (401, no body). Every /v1 path needs one, so it is refused here, with a body.
        // (Only problem/RequestHeadLimits goes first: its observer runs earlier, and its route was added first.)
        router.route("/v1/*").order(Integer.MIN_VALUE).handler(this::requireBearer);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::refuse);
    }

    private void requireBearer(RoutingContext context) {
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            context.next();
            return;
        }
        answer(context, authorization != null);
    }

    private void refuse(RoutingContext context) {
        Throwable failure = context.failure();
        if (!(failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                || failure instanceof AuthenticationCompletionException) || context.response().headWritten()) {
            context.next();
            return;
        }
        LOG.debugf("refused %s %s: %s", context.request().method(), context.request().path(), failure);
        answer(context, context.request().getHeader(HttpHeaders.AUTHORIZATION) != null);
    }

    private void answer(RoutingContext context, boolean sent) {
        String detail = sent
                ? "the bearer token is not valid here: expired, malformed, or not issued by Berth's realm for "
                        + "berth-gateway. Get a fresh one (see docs/auth.md)"
                : "send a bearer token from Berth's Keycloak realm: Authorization: Bearer <token> (see docs/auth.md)";
        // Nothing of the request is read: an upload without a token is not waited for.
        Problem problem = Problem.of(401, "unauthenticated", "Authentication required", detail)
                .withInstance(context.request().path());
        try {
            context.response().setStatusCode(401)
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .putHeader("WWW-Authenticate", sent ? "Bearer error=\"invalid_token\"" : "Bearer")
                    .end(json.writeValueAsString(problem));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            context.next();
        }
    }
}
