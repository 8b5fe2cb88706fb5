package dev.berth.gateway.routes;

import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.query.PageQuery;
import dev.berth.gateway.view.ClusterView;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.List;
import java.util.Map;

/**
 * Every route the caller's apps claim, served or refused, sorted by app and port: the one place to see
 * which path and host reach which app through the routers (docs/routing.md), and why a claim is not
 * served.
 */
@Path("/v1/routes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "routes")
public class RoutesResource {
    @Inject
    ClusterView view;

    @Inject
    Caller caller;

    @GET
    @Operation(summary = "The apps' routes: which path or host reaches which app, or why a claim is refused")
    public RestResponse<Map<String, List<RouteJson>>> list(@BeanParam PageQuery page) {
        caller.mustRead();
        return page.respond("routes", view.routes().stream().filter(r -> caller.sees(r.appId()))
                .flatMap(r -> RouteJson.of(r).stream()).toList());
    }
}
