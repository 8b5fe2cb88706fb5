package dev.berth.gateway.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.RollbackApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.UpdateApp;
import dev.berth.contracts.json.JsonCodec;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.auth.Role;
import dev.berth.gateway.deployments.DeploymentJson;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.query.PageQuery;
import dev.berth.gateway.query.QueryValues;
import dev.berth.gateway.view.ClusterView;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Apps: create, list, read, update, scale, restart, roll back, delete, their versions, and replace one identity
 * of a stateful app. Reads come from the Kafka-built view; changes are commands to the scheduler,
 * answered with its reply (201/200 accepted, 404/409/422 refused with its reason, 503 when it did not
 * answer in time) once the view shows what it accepted. App ids are paths and so is their place in the
 * URL: {@code /v1/apps/team-a/web} is the app {@code /team-a/web}.
 */
@Path("/v1/apps")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "apps")
public class AppsResource {
    @Inject
    ClusterView view;

    @Inject
    AppChanges changes;

    @Inject
    GatewayConfig config;

    @Inject
    Caller caller;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Create an app (201 once the scheduler accepted it)")
    public Response create(String body) {
        checkBody(body, "an app definition", "{\"id\": \"/web\", \"cmd\": \"...\"}");
        ParsedApp parsed = AppDefinitionParser.parse(body);
        if (parsed instanceof ParsedApp.Invalid invalid) {
            throw invalid(invalid.errors(), "invalid-app", "Invalid app definition");
        }
        AppDefinition app = ((ParsedApp.Valid) parsed).app();
        caller.mustCreate(app.id());
        caller.mustRunAs(app.id(), app.user());
        // A fast path only: the scheduler's reply is the authority (another gateway may create it meanwhile).
        Optional<AppState> existing = view.app(app.id());
        if (existing.isPresent()) {
            throw new ProblemException(Problem.of(409, "app-exists", "App exists",
                    "an app " + app.id() + " already exists" + (existing.get().deleting()
                            ? " and is being deleted; try again once it is gone" : "; delete it first or pick another id")));
        }
        AppChanges.Accepted done = changes.apply(CreateApp.of(app));
        return Response.created(URI.create("/v1/apps" + app.id()))
                .entity(answer(done, () -> AppJson.of(app, done.version(), false, List.of(),
                        Optional.empty(), List.of(), Optional.empty())))
                .tag(etag(done.version())).build();
    }

    /**
     * Replaces the app's definition (Marathon's PUT): the body is a whole definition, its id absent or
     * the path's. With {@code If-Match: "<version>"} only if the app is still at that version (else
     * 409), so two operators cannot overwrite each other's change unseen. Never creates: that is POST.
     * While a deployment of the app runs the scheduler refuses the change (409 naming it) unless
     * {@code ?force=true}, which replaces that deployment.
     */
    @PUT
    @Path("{id: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Replace an app's definition (If-Match: its ETag, for an update only from that version)")
    public Response update(@PathParam("id") String rawId, @HeaderParam("If-Match") String ifMatch,
                           @QueryParam("force") String rawForce, String body) {
        String id = appId(rawId);
        boolean force = force(rawForce, "invalid-update", "Invalid update request");
        if (!caller.sees(id)) {
            throw noSuchApp(id);
        }
        caller.mustChange(id, "update");
        Long expectedVersion = IfMatch.parse(ifMatch);
        checkBody(body, "an app definition", "{\"cmd\": \"...\", \"instances\": 2}");
        AppDefinition app = definitionFor(id, body);
        caller.mustRunAs(id, app.user());
        if (view.app(id).isEmpty()) {
            throw cannotUpdateMissing(id, "no app " + id);
        }
        AppChanges.Accepted done;
        try {
            done = changes.apply(UpdateApp.of(app, expectedVersion, force));
        } catch (ProblemException e) {
            if (e.problem().status() == 404) {
                throw cannotUpdateMissing(id, e.problem().detail());
            }
            throw e;
        }
        return Response.ok(answer(done, () -> AppJson.of(app, done.version(), false, List.of(),
                Optional.empty(), List.of(), Optional.empty()))).tag(etag(done.version())).build();
    }

    /** The app's kept versions, newest first: {@code version}, {@code change}, {@code occurredAt}. */
    @GET
    @Path("{id: .+}/versions")
    @Operation(summary = "List an app's versions, newest first")
    public Response versions(@PathParam("id") String rawId, @BeanParam PageQuery page) {
        caller.mustRead();
        // An app whose last segment is "versions" (/team-a/versions) is read by this route too.
        if (isVisibleApp(rawId + "/versions")) {
            return get(rawId + "/versions");
        }
        return versionsOf(appId(rawId), page);
    }

    private Response versionsOf(String id, PageQuery page) {
        if (!caller.sees(id)) {
            throw noSuchApp(id);
        }
        List<AppVersion> versions = view.versionsOf(id);
        // An app recorded before versions were kept has none yet: an empty history, not a 404.
        if (versions.isEmpty() && view.app(id).isEmpty()) {
            throw noSuchApp(id);
        }
        return page.respond("versions", versions.stream().map(AppJson::versionSummary).toList()).toResponse();
    }

    /** One kept version's whole definition, as it was accepted. */
    @GET
    @Path("{id: .+}/versions/{version}")
    @Operation(summary = "Get the definition of one version of an app")
    public Response version(@PathParam("id") String rawId, @PathParam("version") String rawVersion,
                            @BeanParam PageQuery page) {
        caller.mustRead();
        // This route also matches the app /team-a/versions/x itself, and the versions of /team-a/versions.
        if (isVisibleApp(rawId + "/versions/" + rawVersion)) {
            return get(rawId + "/versions/" + rawVersion);
        }
        if (rawVersion.equals("versions") && isVisibleApp(rawId + "/versions")) {
            return versionsOf(appId(rawId + "/versions"), page);
        }
        String id = appId(rawId);
        if (!caller.sees(id)) {
            throw noSuchApp(id);
        }
        long version = versionNumber(rawVersion);
        AppVersion found = view.version(id, version).orElseThrow(() -> ProblemException.notFound(
                "no version " + version + " of " + id + " is kept (GET /v1/apps" + id + "/versions lists those that are)"));
        return Response.ok(AppJson.definitionAt(found)).tag(etag(version)).build();
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
        view.apps().stream().filter(a -> caller.sees(a.appId()) && filter.test(a.definition()))
                .forEach(a -> apps.add(json(a)));
        apps.sort(Comparator.comparing(a -> a.path("id").asText()));
        return page.respond("apps", apps);
    }

    @GET
    @Path("{id: .+}")
    @Operation(summary = "Get an app with its tasks, queue entry and volumes")
    public Response get(@PathParam("id") String rawId) {
        String id = appId(rawId);
        caller.mustRead();
        if (!caller.sees(id)) {
            throw noSuchApp(id);
        }
        AppState state = view.app(id).orElseThrow(() -> noSuchApp(id));
        return Response.ok(json(state)).tag(etag(state.version())).build();
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
        AppChanges.Accepted done = changes.apply(ScaleApp.of(id, instances));
        return Response.ok(answer(done, () -> AppJson.of(state.definition().withInstances(instances),
                done.version(), false, view.tasksOf(id), view.queued(id),
                view.volumesOf(id), view.history(id)))).tag(etag(done.version())).build();
    }

    /** Replaces every instance with a fresh task, one after another, keeping the count. */
    @POST
    @Path("{id: .+}/restart")
    @Blocking
    @Operation(summary = "Restart every instance of an app, one after another")
    public Response restart(@PathParam("id") String rawId) {
        String id = appId(rawId);
        AppState state = changeable(id, "restart");
        AppChanges.Accepted done = changes.apply(RestartApp.of(id));
        return Response.ok(answer(done, () -> json(state))).tag(etag(done.version())).build();
    }

    /**
     * Brings back the definition of an earlier version as a new version, rolled out as a deployment. The
     * version must be given (there is no "the previous one": versions only grow, and a rollback makes
     * one too); {@code ?force=true} replaces a deployment that is still running.
     */
    @POST
    @Path("{id: .+}/rollback")
    @Blocking
    @Operation(summary = "Roll an app back to the definition of an earlier version (as a new version)")
    public Response rollback(@PathParam("id") String rawId, @QueryParam("version") String rawVersion,
                             @QueryParam("force") String rawForce) {
        String id = appId(rawId);
        List<FieldError> errors = new ArrayList<>();
        long version = rollbackVersion(rawVersion, errors);
        boolean force = QueryValues.flag("force", rawForce, "replace a deployment of the app that is still running",
                errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidQuery("invalid-rollback", "Invalid rollback request", errors);
        }
        AppState state = changeable(id, "roll back");
        mustRunAsAt(id, version);
        AppChanges.Accepted done = changes.apply(RollbackApp.of(id, version, force));
        return Response.ok(answer(done, () -> json(state))).tag(etag(done.version())).build();
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
        // The scheduler marks the app DELETING (a new version) and removes it once its tasks ended; an app
        // with none may be gone by the time the view catches up.
        Optional<AppState> after = changes.delete(DeleteApp.of(id, wipe)).app();
        ObjectNode json = json(after.orElse(state));
        json.put("status", after.isPresent() ? AppJson.DELETING : AppJson.DELETED);
        json.put("wipe", wipe);
        return Response.ok(json).build();
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
        AppChanges.Accepted done = changes.apply(ReplaceInstance.of(id, identity, "replaced by an operator through the API"));
        return Response.ok(answer(done, () -> json(state))).tag(etag(done.version())).build();
    }

    /**
     * The app as the view shows it at the version the scheduler accepted ({@link AppChanges} waited briefly
     * for the view, so that the caller's next GET shows it too), or {@code fallback} if the view is not there yet.
     */
    private ObjectNode answer(AppChanges.Accepted done, Supplier<ObjectNode> fallback) {
        return done.app().map(this::json).orElseGet(fallback);
    }

    /** True when {@code rawId} is a valid id of an app the view has and the caller sees. */
    private boolean isVisibleApp(String rawId) {
        AppIds.Result id = AppIds.normalize(rawId);
        return id.error() == null && caller.sees(id.id()) && view.app(id.id()).isPresent();
    }

    /** A strong ETag of the app's version: {@code "3"}, what If-Match takes back. */
    private static EntityTag etag(long version) {
        return new EntityTag(Long.toString(version));
    }

    /** The PUT body as a definition of app {@code id}: its id may be left out, but not be another. */
    private AppDefinition definitionFor(String id, String body) {
        JsonNode tree;
        try {
            tree = JsonCodec.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid(List.of(new FieldError("", "not valid JSON: " + e.getOriginalMessage())), "invalid-app",
                    "Invalid app definition");
        }
        if (tree instanceof ObjectNode object && (object.get("id") == null || object.get("id").isNull())) {
            object.put("id", id);
        }
        ParsedApp parsed = AppDefinitionParser.parse(tree);
        if (parsed instanceof ParsedApp.Invalid invalid) {
            throw invalid(invalid.errors(), "invalid-app", "Invalid app definition");
        }
        AppDefinition app = ((ParsedApp.Valid) parsed).app();
        if (!app.id().equals(id)) {
            FieldError error = new FieldError("id", "the body's id " + app.id() + " is not the path's " + id
                    + "; an app's id cannot change (leave id out, or create " + app.id() + " with POST /v1/apps)");
            throw new ProblemException(Problem.of(422, "id-mismatch", "Id does not match the path", error.message())
                    .withErrors(List.of(error)));
        }
        return app;
    }

    private static ProblemException cannotUpdateMissing(String id, String reason) {
        return ProblemException.notFound(reason + "; PUT only updates an existing app: create it with POST /v1/apps");
    }

    private static long versionNumber(String raw) {
        try {
            long version = Long.parseLong(raw);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // refused below, with the rest
        }
        FieldError error = new FieldError("version", "version must be a whole number from 1, was '" + raw + "'");
        throw new ProblemException(Problem.of(400, "invalid-version", "Invalid version", error.message())
                .withErrors(List.of(error)));
    }

    /** The app with what Berth knows of it now, and the deployment under way if there is one. */
    private ObjectNode json(AppState state) {
        String id = state.appId();
        ObjectNode json = AppJson.of(state, view.tasksOf(id), view.queued(id),
                view.volumesOf(id), view.history(id));
        view.activeDeployment(id).ifPresent(d -> json.set("deployment",
                JsonCodec.mapper().valueToTree(DeploymentJson.Summary.of(d))));
        json.set("routes", JsonCodec.mapper().valueToTree(view.routesOf(id)
                .map(dev.berth.gateway.routes.RouteJson::of).orElse(List.of())));
        return json;
    }

    /** {@code ?version=} of a rollback: required, a whole number from 1. */
    private static long rollbackVersion(String raw, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) {
            errors.add(new FieldError("version", "version is required: the version whose definition to bring back "
                    + "(GET /v1/apps/{id}/versions lists them)"));
            return 0;
        }
        try {
            long version = Long.parseLong(raw.trim());
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // refused below, like one out of range
        }
        errors.add(new FieldError("version", "version must be a whole number from 1, was '" + raw + "'"));
        return 0;
    }

    /** {@code ?force=} of a change: absent means false, so a running deployment is never replaced unasked. */
    private static boolean force(String raw, String slug, String title) {
        List<FieldError> errors = new ArrayList<>();
        boolean force = QueryValues.flag("force", raw, "replace a deployment of the app that is still running",
                errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidQuery(slug, title, errors);
        }
        return force;
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

    /**
     * A rollback sets the app's definition to version {@code version}'s, so that definition's user is
     * checked as a PUT's would be. Only the gateway knows roles, so it must know the definition: a version
     * its view does not hold (gone, or not read yet) is refused to anyone but an administrator, as the
     * scheduler would refuse one it does not keep.
     */
    private void mustRunAsAt(String id, long version) {
        if (caller.role() == Role.ADMIN) {
            return;
        }
        AppVersion target = view.version(id, version).orElseThrow(() -> ProblemException.notFound(
                "no version " + version + " of " + id + " is kept (GET /v1/apps" + id + "/versions lists those that are)"));
        caller.mustRunAs(id, target.definition().user());
    }

    /** The app as the scheduler recorded it, if it exists and the caller may see it; else 404. */
    private AppState visible(String id) {
        if (!caller.sees(id)) {
            throw noSuchApp(id);
        }
        return view.app(id).orElseThrow(() -> noSuchApp(id));
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
