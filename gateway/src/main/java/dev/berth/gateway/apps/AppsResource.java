package dev.berth.gateway.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.Kafka;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.query.PageQuery;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Apps: create, list, read, scale, restart, delete, and replace one identity of a stateful app.
 * Reads come from the Kafka-built view; changes are commands to the scheduler, answered once Kafka
 * has them (202: the scheduler carries them out). App ids are paths and so is their place in the
 * URL: {@code /v1/apps/team-a/web} is the app {@code /team-a/web}.
 */
@Path("/v1/apps")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "apps")
public class AppsResource {
    @Inject
    Kafka kafka;

    @Inject
    GatewayConfig config;

    @Inject
    Caller caller;

    private PendingApps pending;

    private synchronized PendingApps pending() {
        if (pending == null) {
            pending = new PendingApps(config.pendingTtl());
        }
        return pending;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Create an app (201 once the command is in Kafka)")
    public Response create(String body) {
        checkBody(body, "an app definition", "{\"id\": \"/web\", \"cmd\": \"...\"}");
        ParsedApp parsed = AppDefinitionParser.parse(body);
        if (parsed instanceof ParsedApp.Invalid invalid) {
            throw invalid(invalid.errors(), "invalid-app", "Invalid app definition");
        }
        AppDefinition app = ((ParsedApp.Valid) parsed).app();
        caller.mustCreate(app.id());
        Instant now = Instant.now();
        Optional<AppState> existing = kafka.view().app(app.id());
        if (existing.isPresent() || !pending().add(app, now)) {
            throw new ProblemException(Problem.of(409, "app-exists", "App exists",
                    "an app " + app.id() + " already exists" + (existing.map(AppState::deleting).orElse(false)
                            ? " and is being deleted; try again once it is gone" : "; delete it first or pick another id")));
        }
        try {
            kafka.send(CreateApp.of(app));
        } catch (ProblemException e) {
            pending().remove(app.id());
            throw e;
        }
        return Response.created(URI.create("/v1/apps" + app.id())).entity(AppJson.pending(app)).build();
    }

    @GET
    @Operation(summary = "List apps, by team or labels")
    public RestResponse<Map<String, List<ObjectNode>>> list(@QueryParam("team") String team,
                                                            @QueryParam("label") List<String> labels,
                                                            @BeanParam PageQuery page) {
        caller.mustRead();
        List<FieldError> errors = new ArrayList<>();
        AppFilter filter = AppFilter.parse(team, labels, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidQuery("invalid-app-filter", "Invalid app filter", errors);
        }
        List<ObjectNode> apps = new ArrayList<>();
        kafka.view().apps().stream().filter(a -> caller.sees(a.appId()) && filter.test(a.definition()))
                .forEach(a -> apps.add(json(a)));
        pending().all(Instant.now()).forEach((id, app) -> {
            if (kafka.view().app(id).isPresent()) {
                pending().remove(id); // the scheduler has it: from now on the view speaks for it
            } else if (caller.sees(id) && filter.test(app)) {
                apps.add(AppJson.pending(app));
            }
        });
        apps.sort(Comparator.comparing(a -> a.path("id").asText()));
        return page.respond("apps", apps);
    }

    @GET
    @Path("{id: .+}")
    @Operation(summary = "Get an app with its tasks, queue entry and volumes")
    public ObjectNode get(@PathParam("id") String rawId) {
        String id = appId(rawId);
        caller.mustRead();
        if (!caller.sees(id)) {
            throw noSuchApp(id);
        }
        Optional<AppState> state = kafka.view().app(id);
        if (state.isPresent()) {
            pending().remove(id);
            return json(state.get());
        }
        return pending().get(id, Instant.now()).map(AppJson::pending).orElseThrow(() -> noSuchApp(id));
    }

    /**
     * Scales the app: {@code {"instances": n}}. Only the instance count can change here; any other
     * field is refused by name. The answer shows the app with the count asked for.
     */
    @PATCH
    @Path("{id: .+}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @Blocking
    @Operation(summary = "Scale an app: {\"instances\": n}")
    public Response scale(@PathParam("id") String rawId, String body) {
        String id = appId(rawId);
        AppState state = changeable(id, "scale");
        checkBody(body, "a scale request", "{\"instances\": 3}");
        ScaleRequest.Result request = ScaleRequest.parse(body);
        if (request instanceof ScaleRequest.Invalid invalid) {
            throw invalid(invalid.errors(), "invalid-scale", "Invalid scale request");
        }
        int instances = ((ScaleRequest.Valid) request).instances();
        kafka.send(ScaleApp.of(id, instances));
        return Response.accepted(AppJson.of(state.definition().withInstances(instances), state.version(), false,
                kafka.view().tasksOf(id), kafka.view().queued(id), kafka.view().volumesOf(id))).build();
    }

    /** Replaces every instance with a fresh task, one after another, keeping the count. */
    @POST
    @Path("{id: .+}/restart")
    @Blocking
    @Operation(summary = "Restart every instance of an app, one after another")
    public Response restart(@PathParam("id") String rawId) {
        String id = appId(rawId);
        AppState state = changeable(id, "restart");
        kafka.send(RestartApp.of(id));
        return Response.accepted(json(state)).build();
    }

    /**
     * Stops the app's tasks and forgets it. Its volumes are released and kept (scaling a new app of
     * the same id back up finds them again) unless {@code ?wipe=true} asks for them to be destroyed;
     * the answer says which in {@code wipe}.
     */
    @DELETE
    @Path("{id: .+}")
    @Blocking
    @Operation(summary = "Delete an app (its volumes kept, or destroyed with wipe=true)")
    public Response delete(@PathParam("id") String rawId, @QueryParam("wipe") String rawWipe) {
        String id = appId(rawId);
        boolean wipe = wipe(rawWipe);
        AppState state = visible(id);
        caller.mustChange(id, "delete");
        if (wipe) {
            caller.mustAdminister("destroying an app's volumes (wipe=true)");
        }
        kafka.send(DeleteApp.of(id, wipe));
        // Else, once the scheduler has removed it, the app would show as PENDING again until its entry expired.
        pending().remove(id);
        ObjectNode json = json(state);
        json.put("status", AppJson.DELETING);
        json.put("wipe", wipe);
        return Response.accepted(json).build();
    }

    /**
     * Gives one identity of a stateful app fresh volumes on another node, for an instance whose
     * local volume's node is gone for good. Its old volumes are released, never destroyed.
     */
    @POST
    @Path("{id: .+}/instances/{identity}/replace")
    @Blocking
    @Operation(summary = "Give one identity of a stateful app fresh volumes on another node")
    public Response replace(@PathParam("id") String rawId, @PathParam("identity") String identity) {
        String id = appId(rawId);
        AppState state = changeable(id, "replace an instance of");
        AppDefinition app = state.definition();
        if (!app.isStateful()) {
            throw new ProblemException(Problem.of(400, "not-stateful", "App has no identities",
                    "the app " + id + " declares no persistent volumes, so its instances have no identities to "
                            + "replace; restart it instead"));
        }
        int instance = Volumes.instanceOf(id, identity);
        if (instance < 0 || instance >= app.instances()) {
            throw new ProblemException(Problem.of(400, "unknown-identity", "Unknown identity",
                    "'" + identity + "' is not an identity of " + id + ", which has " + app.instances()
                            + " instance" + (app.instances() == 1 ? "" : "s")
                            + (app.instances() == 0 ? "" : ": " + Volumes.identity(id, 0)
                            + (app.instances() == 1 ? "" : " to " + Volumes.identity(id, app.instances() - 1)))));
        }
        kafka.send(ReplaceInstance.of(id, identity, "replaced by an operator through the API"));
        return Response.accepted(json(state)).build();
    }

    private ObjectNode json(AppState state) {
        String id = state.appId();
        return AppJson.of(state, kafka.view().tasksOf(id), kafka.view().queued(id), kafka.view().volumesOf(id));
    }

    /** {@code ?wipe=}: absent means false, so no volume is ever destroyed by accident. */
    private static boolean wipe(String raw) {
        if (raw == null) {
            return false;
        }
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(raw);
        }
        FieldError error = new FieldError("wipe", "wipe must be true (destroy the app's volumes) or false (keep "
                + "them, released; the default), was '" + raw + "'");
        throw new ProblemException(Problem.of(400, "invalid-delete", "Invalid delete request", error.message())
                .withErrors(List.of(error)));
    }

    /** The app as the scheduler recorded it, if it exists and the caller may see it; else 404. */
    private AppState visible(String id) {
        if (!caller.sees(id)) {
            throw noSuchApp(id);
        }
        return kafka.view().app(id).orElseThrow(() -> noSuchApp(id));
    }

    /**
     * The app, if the caller sees it (else 404) and may change it (else 403), and it is not on its way
     * out (409). {@code change} is a verb: "scale".
     */
    private AppState changeable(String id, String change) {
        AppState state = visible(id);
        caller.mustChange(id, change);
        if (state.deleting()) {
            throw new ProblemException(Problem.of(409, "app-deleting", "App is being deleted",
                    "the app " + id + " is being deleted; you cannot " + change + " it"));
        }
        return state;
    }

    private void checkBody(String body, String what, String example) {
        if (body == null || body.isBlank()) {
            throw new ProblemException(Problem.of(400, "empty-body", "Empty request",
                    "send " + what + " as JSON, e.g. " + example));
        }
        if (body.getBytes(StandardCharsets.UTF_8).length > config.maxBodyBytes()) {
            throw new ProblemException(Problem.of(413, "too-large", "Request too large",
                    what + " may be at most " + config.maxBodyBytes() + " bytes"));
        }
    }

    private static String appId(String raw) {
        AppIds.Result result = AppIds.normalize(raw);
        if (result.error() != null) {
            throw invalid(List.of(new FieldError("id", result.error())), "invalid-app", "Invalid app definition");
        }
        return result.id();
    }

    private static ProblemException noSuchApp(String id) {
        return ProblemException.notFound("no app " + id);
    }

    private static ProblemException invalid(List<FieldError> errors, String slug, String title) {
        boolean notJson = errors.size() == 1 && errors.get(0).field().isEmpty();
        Problem problem = notJson
                ? Problem.of(400, "malformed-json", "Malformed request", errors.get(0).message())
                : Problem.of(422, slug, title,
                errors.size() + (errors.size() == 1 ? " field was" : " fields were") + " refused: "
                        + errors.stream().map(e -> e.field() + ": " + e.message()).reduce((a, b) -> a + "; " + b)
                        .orElse(""));
        return new ProblemException(problem.withErrors(errors));
    }
}
