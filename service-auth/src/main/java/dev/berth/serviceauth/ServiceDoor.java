package dev.berth.serviceauth;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The door in front of an internal Berth service's own HTTP endpoints (a node agent, the volume
 * service, a scheduler): only a <em>Berth service identity</em> passes — a Keycloak service-account
 * token carrying the realm role {@value #ROLE} — and health ({@code /q/health*}) stays open.
 *
 * <p>Why a door at all: tasks run on the same hosts as these services (in HOST network mode they
 * reach every port there), and the services' endpoints tell what runs where and hand out any team's
 * task output, which carries secrets. People and pipelines go through the gateway, which checks their
 * teams; the services' own endpoints are for Berth itself (the gateway fetching logs from an agent)
 * and for operators acting as it.
 *
 * <p>Who decides is configuration, shared by every service through this jar's
 * {@code META-INF/microprofile-config.properties}: quarkus-oidc verifies the token against the realm's
 * keys, and the HTTP permissions there require the role on every path but health. This class only
 * words the refusals as {@code application/problem+json}, as the gateway does: 401 without a valid
 * token (with {@code WWW-Authenticate: Bearer}), 403 for a valid token without the role — a person's,
 * even an administrator's: being allowed everything <em>through the gateway</em> is not being Berth.
 */
@ApplicationScoped
public class ServiceDoor {
    /** The realm role that makes a token a Berth service identity. */
    public static final String ROLE = "berth-service";
    static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = Logger.getLogger(ServiceDoor.class);
    private static final String HEALTH = "/q/health";
    private static final String METRICS = "/q/metrics";
    private static final String PROBLEMS = "https://berth.dev/problems/";

    void install(@Observes Router router) {
        // Before authentication: a request without a bearer token at all would get Quarkus's bare
        // challenge (401, no body); it is refused here with a body that says what to send.
        router.route().order(Integer.MIN_VALUE).handler(this::requireBearer);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::refuse);
    }

    /**
     * Health is open so that supervisors and load balancers can probe it without credentials; metrics so
     * that a Prometheus scrapes it as it scrapes everything else, without a Keycloak client of its own.
     * Metrics carry counts by state, team, reason and topic only, never an app's or a task's id or output.
     */
    static boolean open(String path) {
        return path != null && (path.equals(HEALTH) || path.startsWith(HEALTH + "/") || path.equals(METRICS));
    }

    private void requireBearer(RoutingContext context) {
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (open(context.normalizedPath())
                || authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            context.next();
            return;
        }
        unauthenticated(context, authorization != null);
    }

    private void refuse(RoutingContext context) {
        Throwable failure = context.failure();
        if (context.response().headWritten()) {
            context.next();
        } else if (failure instanceof ForbiddenException) {
            // A valid token, from someone who is not a Berth service. Worth an operator's notice: a
            // person or pipeline is calling a service directly instead of through the gateway.
            LOG.infof("refused %s %s to %s: the token lacks the %s role", context.request().method(),
                    context.normalizedPath(), caller(context), ROLE);
            answer(context, 403, "forbidden", "Forbidden", "this endpoint is for Berth's own services: it needs a "
                    + "Berth service identity (a service-account token with the realm role " + ROLE + "). People and "
                    + "pipelines use the gateway (see docs/auth.md, Service identities)");
        } else if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                || failure instanceof AuthenticationCompletionException) {
            LOG.debugf("refused %s %s: %s", context.request().method(), context.normalizedPath(), failure);
            unauthenticated(context, context.request().getHeader(HttpHeaders.AUTHORIZATION) != null);
        } else {
            context.next();
        }
    }

    private static String caller(RoutingContext context) {
        return context.user() instanceof QuarkusHttpUser user && user.getSecurityIdentity().getPrincipal() != null
                ? user.getSecurityIdentity().getPrincipal().getName() : "a caller";
    }

    private void unauthenticated(RoutingContext context, boolean sent) {
        String detail = sent
                ? "the bearer token is not valid here: expired, malformed, or not issued by Berth's realm. "
                        + "Get a fresh service-account token (see docs/auth.md, Service identities)"
                : "send a Berth service identity: Authorization: Bearer <a service-account token with the realm "
                        + "role " + ROLE + "> (see docs/auth.md, Service identities)";
        context.response().putHeader("WWW-Authenticate", sent ? "Bearer error=\"invalid_token\"" : "Bearer");
        answer(context, 401, "unauthenticated", "Authentication required", detail);
    }

    private static void answer(RoutingContext context, int status, String slug, String title, String detail) {
        // Nothing of the request is read: an upload without a token is not waited for.
        JsonObject problem = new JsonObject().put("type", PROBLEMS + slug).put("title", title).put("status", status)
                .put("detail", detail).put("instance", context.normalizedPath());
        context.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON)
                .end(problem.encode());
    }
}
