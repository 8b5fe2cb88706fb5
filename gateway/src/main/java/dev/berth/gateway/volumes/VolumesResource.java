package dev.berth.gateway.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.commands.CommandBus;
import dev.berth.gateway.query.PageQuery;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.view.ClusterView;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Persistent volumes, as the volume service last announced them on {@code berth.volume-events}.
 * Reads come from the gateway's view; a delete is a {@code DeleteVolume} command to the volume
 * service, whose answer the request waits for, bounded by {@code berth.gateway.volume-delete-wait}.
 */
@Path("/v1/volumes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "volumes")
public class VolumesResource {
    static final String DELETE_REASON = "deleted by an operator through the API";

    @Inject
    ClusterView view;

    @Inject
    CommandBus commands;

    @Inject
    GatewayConfig config;

    @Inject
    Caller caller;

    @Inject
    VolumeHistoryClient histories;

    private DeletionOutcomes deletions;

    private synchronized DeletionOutcomes deletions() {
        if (deletions == null) {
            deletions = new DeletionOutcomes();
            view.onVolumeEvent(deletions);
        }
        return deletions;
    }

    /** Every volume (DELETED ones too), by id, narrowed by {@code app}, {@code node} and {@code state}. */
    @GET
    @Operation(summary = "List volumes, by app, node or state")
    public RestResponse<Map<String, List<VolumeJson>>> list(@QueryParam("app") List<String> app,
                                                            @QueryParam("node") List<String> node,
                                                            @QueryParam("state") List<String> state,
                                                            @BeanParam PageQuery page) {
        caller.mustRead();
        VolumeFilter filter = filter(app, node, state);
        return page.respond("volumes", view.volumes().stream().filter(v -> caller.sees(v.appId())).filter(filter).map(VolumeJson::of).toList());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a volume")
    public VolumeJson get(@PathParam("id") String id) {
        return VolumeJson.of(volume(id));
    }

    /**
     * The volume's history, oldest first: each attach, release, fence and refusal with its node,
     * task, fencing epoch and reason, from the volume service's audit table (see
     * {@link VolumeHistoryClient} for why it is asked there). 404 for a volume the caller does not see.
     */
    @GET
    @Path("{id}/history")
    @Operation(summary = "Get a volume's history: who held it, with which fencing epoch, and why it moved")
    public Uni<JsonNode> history(@PathParam("id") String id) {
        volume(id);
        return histories.history(id);
    }

    /**
     * Destroys a RELEASED volume and its data. Any other state is refused here, before anything is
     * sent, since the volume service would refuse it too: an identity still owns the volume. 200
     * once the volume service announced it DELETED; 409 when it refused; 202 with the volume's
     * Location when its answer did not come in time (the command is in Kafka and will be carried out).
     * Deleting a volume already DELETED answers 200 and sends nothing, so a retry after a 202 is safe.
     */
    @DELETE
    @Path("{id}")
    @Blocking
    @Operation(summary = "Delete a RELEASED volume")
    public Uni<Response> delete(@PathParam("id") String id) {
        VolumeSnapshot volume = volume(id);
        caller.mustAdminister("deleting a volume and its data");
        if (volume.state() == VolumeState.DELETED) {
            return Uni.createFrom().item(Response.ok(VolumeJson.of(volume)).build());
        }
        if (volume.state() != VolumeState.RELEASED) {
            throw notReleased(volume);
        }
        DeleteVolume command = DeleteVolume.of(id, DELETE_REASON, null);
        DeletionOutcomes.Waiter waiter = deletions().await(id, command.id());
        try {
            commands.send(command);
        } catch (RuntimeException e) {
            deletions().forget(waiter);
            throw e;
        }
        return Uni.createFrom().completionStage(waiter.outcome())
                .map(Optional::of)
                .ifNoItem().after(config.volumeDeleteWait()).recoverWithItem(Optional::empty)
                .map(outcome -> outcome.map(VolumesResource::answer).orElseGet(() -> {
                    deletions().forget(waiter);
                    return stillPending(id);
                }));
    }

    private static Response answer(VolumeEvent outcome) {
        if (outcome.kind() == VolumeEvent.Kind.DELETE_REFUSED) {
            throw new ProblemException(Problem.of(409, "volume-delete-refused", "Volume delete refused",
                    "the volume service refused to delete " + outcome.volumeId() + " (state "
                            + outcome.volume().state() + "): "
                            + (outcome.reason() == null ? "no reason given" : outcome.reason())));
        }
        return Response.ok(VolumeJson.of(outcome.volume())).build();
    }

    /** The command is in Kafka; the volume service has not answered yet. Follow the Location. */
    private Response stillPending(String id) {
        VolumeJson now = VolumeJson.of(view.volume(id).orElseThrow(() -> noSuchVolume(id)));
        return Response.accepted(now).location(URI.create("/v1/volumes/" + id)).build();
    }

    /** The volume, if it exists and belongs to an app the caller sees; else 404. */
    private VolumeSnapshot volume(String id) {
        caller.mustRead();
        return view.volume(id).filter(v -> caller.sees(v.appId())).orElseThrow(() -> noSuchVolume(id));
    }

    private static VolumeFilter filter(List<String> app, List<String> node, List<String> state) {
        VolumeFilter.Result result = VolumeFilter.parse(app, node, state);
        if (result instanceof VolumeFilter.Invalid invalid) {
            throw ProblemException.invalidQuery("invalid-volume-filter", "Invalid volume filter", invalid.errors());
        }
        return ((VolumeFilter.Valid) result).filter();
    }

    private static ProblemException notReleased(VolumeSnapshot volume) {
        String where = volume.attachedNodeId() != null ? ", attached to node " + volume.attachedNodeId()
                + (volume.attachedTaskId() != null ? " for task " + volume.attachedTaskId() : "")
                : volume.nodeId() != null ? ", on node " + volume.nodeId() : "";
        return new ProblemException(Problem.of(409, "volume-in-use", "Volume in use",
                "the volume " + volume.volumeId() + " is " + volume.state() + where + " and belongs to "
                        + volume.identity() + " of " + volume.appId() + "; only a RELEASED volume can be deleted: "
                        + "scale the app down below that identity, or delete the app, first"));
    }

    private static ProblemException noSuchVolume(String id) {
        return ProblemException.notFound("no volume " + id);
    }
}
