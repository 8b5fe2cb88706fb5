package dev.berth.volume.volume;

import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.volume.history.HistoryJson;
import dev.berth.volume.lifecycle.OnVertx;
import dev.berth.volume.lifecycle.Outcome;
import dev.berth.volume.lifecycle.VolumeCommands;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
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
 * Volumes: {@code GET /volumes} (filters {@code app}, {@code node}, {@code state}), {@code GET
 * /volumes/{id}}, {@code GET /volumes/{id}/history} and {@code DELETE /volumes/{id}} (only a
 * RELEASED volume; the delete is a {@link DeleteVolume} like the scheduler's, so it is audited and
 * announced). The same under {@code /v1/volumes}, the public API's prefix. Errors are problem+json.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class VolumeRecordsResource {
    private static final String PROBLEM = "application/problem+json";

    @Inject
    VolumeService service;
    @Inject
    VolumeCommands commands;

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
                .map(volumes -> Response.ok(volumes.stream().map(VolumeRecordJson::of).toList()).build());
    }

    @GET
    @Path("{prefix: (v1/)?}volumes/{id}")
    public Uni<Response> get(@PathParam("id") String id) {
        return service.find(id).map(v -> v == null ? notFound(id) : Response.ok(VolumeRecordJson.of(v)).build());
    }

    @GET
    @Path("{prefix: (v1/)?}volumes/{id}/history")
    public Uni<Response> history(@PathParam("id") String id) {
        return service.find(id).flatMap(v -> v == null ? Uni.createFrom().item(notFound(id))
                : service.history(id).map(rows -> Response.ok(rows.stream().map(HistoryJson::of).toList()).build()));
    }

    /**
     * Deletes a RELEASED volume and its data: 200 with the volume (DELETED), also when it already was;
     * 409 with the reason for any other state; 404 for an unknown volume. Blocking: it waits for the
     * commit and for the driver to destroy the data.
     */
    @DELETE
    @Path("{prefix: (v1/)?}volumes/{id}")
    @Blocking
    public Response delete(@PathParam("id") String id) {
        Volume before = OnVertx.await(() -> service.find(id));
        if (before == null) {
            return notFound(id);
        }
        Outcome outcome = commands.execute(DeleteVolume.of(id, "deleted through the API", null));
        if (outcome.result() == Outcome.Result.ANSWERED) {
            return problem(409, "volume-in-use", "Volume not deleted", outcome.reason());
        }
        Volume after = OnVertx.await(() -> service.find(id));
        return Response.ok(VolumeRecordJson.of(after)).build();
    }

    private static Response notFound(String id) {
        return problem(404, "not-found", "Not found", "no volume " + id);
    }

    private static Response problem(int status, String slug, String title, String detail) {
        return Response.status(status).type(PROBLEM).entity(Map.of(
                "type", "https://berth.dev/problems/" + slug, "title", title, "status", status,
                "detail", detail)).build();
    }
}
