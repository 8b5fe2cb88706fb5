package dev.berth.volume.volume;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Volumes, read-only for now: {@code GET /volumes} (filters {@code app}, {@code node}, {@code state})
 * and {@code GET /volumes/{id}}. The same under {@code /v1/volumes}, the public API's prefix.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class VolumesResource {
    private static final String PROBLEM = "application/problem+json";

    @Inject
    VolumeService service;

    @GET
    @Path("{prefix: (v1/)?}volumes")
    public Uni<Response> list(@QueryParam("app") String app, @QueryParam("node") String node,
                              @QueryParam("state") String state) {
        Volume.State wanted;
        try {
            wanted = state == null ? null : Volume.State.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(problem(400, "bad-filter", "Bad filter",
                    "state must be one of " + List.of(Volume.State.values())));
        }
        return service.search(app, node, wanted)
                .map(volumes -> Response.ok(volumes.stream().map(VolumeJson::of).toList()).build());
    }

    @GET
    @Path("{prefix: (v1/)?}volumes/{id}")
    public Uni<Response> get(@PathParam("id") String id) {
        return service.find(id).map(v -> v == null
                ? problem(404, "not-found", "Not found", "no volume " + id)
                : Response.ok(VolumeJson.of(v)).build());
    }

    private static Response problem(int status, String slug, String title, String detail) {
        return Response.status(status).type(PROBLEM).entity(Map.of(
                "type", "https://berth.dev/problems/" + slug, "title", title, "status", status,
                "detail", detail)).build();
    }
}
