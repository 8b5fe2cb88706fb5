package dev.berth.gateway.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
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

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::refuse);
    }

    private void refuse(RoutingContext context) {
        Throwable failure = context.failure();
        if (!(failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                || failure instanceof AuthenticationCompletionException) || context.response().headWritten()) {
            context.next();
            return;
        }
        boolean sent = context.request().getHeader(HttpHeaders.AUTHORIZATION) != null;
        LOG.debugf("refused %s %s: %s", context.request().method(), context.request().path(), failure);
        String detail = sent
                ? "the bearer token is not valid here: expired, malformed, or not issued by Berth's realm for "
                        + "berth-gateway. Get a fresh one (see docs/auth.md)"
                : "send a bearer token from Berth's Keycloak realm: Authorization: Bearer <token> (see docs/auth.md)";
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
