package dev.berth.gateway.problem;

import io.quarkus.security.ForbiddenException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP responses: every error leaves the API as
 * {@code application/problem+json}, with a detail a person can act on.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @Context
    UriInfo uri;


    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response.ResponseBuilder response = build(e.problem());
        if (e.retryAfter() != null) {
            response.header("Retry-After", Math.max(1, e.retryAfter().toSeconds()));
        }
        return response.build();
    }

    /** JAX-RS's own refusals: unknown route (404), wrong method (405), wrong content type (415), … */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String title = Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "no such resource: " + uri.getPath();
            case 405 -> "this resource does not accept that method";
            case 406 -> "this resource answers application/json (a task's logs: text/plain; "
                    + "the events: text/event-stream); accept that";
            case 415 -> "send the body as application/json";
            default -> e.getMessage();
        };
        return build(Problem.of(status, title.toLowerCase().replace(' ', '-'), title, detail)).build();
    }

    /** Quarkus's own refusal by role; Berth's rules answer through {@link ProblemException} with more to say. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return build(Problem.of(403, "forbidden", "Forbidden", "your roles do not allow this")).build();
    }

    /** A fault of ours, never of the caller's input; logged with its stack, shown without it. */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure on " + uri.getPath(), e);
        return build(Problem.of(500, "internal", "Internal error",
                "the gateway failed to handle this request; it has been logged")).build();
    }

    private Response.ResponseBuilder build(Problem problem) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.withInstance(uri.getPath()));
    }
}
