package dev.berth.router;

import dev.berth.router.haproxy.HaproxyRoute;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /routes} on the router's own port: what this router serves now, each route with the tasks
 * behind it (draining ones marked) and how often HAProxy was reloaded — for an operator asking "why
 * does this request go there?". The cluster-wide view of routes is the gateway's {@code /v1/routes}.
 */
@Path("/routes")
@Produces(MediaType.APPLICATION_JSON)
public class RoutesResource {
    @Inject
    RouterService router;

    @GET
    public Map<String, Object> routes() {
        List<HaproxyRoute> serving = router.serving();
        return Map.of("routes", serving, "reloads", router.reloads(), "caughtUp", router.caughtUp());
    }
}
