package dev.berth.gateway.deployments;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.PromoteDeployment;
import dev.berth.contracts.messages.RollbackDeployment;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.apps.AppChanges;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.commands.CommandBus;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.query.PageQuery;
import dev.berth.gateway.view.ClusterView;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Deployments, as the scheduler records them on {@code berth.deployments}: list and read them, and
 * promote or roll back one that is under way. A deployment belongs to its app's team: a caller who does
 * not see the app does not see its deployments either (404). Promote and rollback are app commands,
 * answered with the scheduler's reply like every change of an app (200, 404/409/422 with its reason,
 * 503 + Retry-After when it did not answer).
 */
@Path("/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "deployments")
public class DeploymentsResource {
    @Inject
    ClusterView view;

    @Inject
    CommandBus commands;

    @Inject
    AppChanges changes;

    @Inject
    GatewayConfig config;

    @Inject
    Caller caller;

    @GET
    @Operation(summary = "List deployments, newest first, by app or state")
    public RestResponse<Map<String, List<DeploymentJson>>> list(@QueryParam("app") List<String> app,
                                                                @QueryParam("state") List<String> state,
                                                                @BeanParam PageQuery page) {
        caller.mustRead();
        List<FieldError> errors = new ArrayList<>();
        DeploymentFilter filter = DeploymentFilter.parse(app, state, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidQuery("invalid-deployment-filter", "Invalid deployment filter", errors);
        }
        return page.respond("deployments", view.deployments().stream()
                .filter(d -> caller.sees(d.appId())).filter(filter).map(DeploymentJson::of).toList());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a deployment: its steps, progress and why it waits or failed")
    public DeploymentJson get(@PathParam("id") String id) {
        caller.mustRead();
        return DeploymentJson.of(visible(id));
    }

    /** Continues a deployment paused with healthy canaries: the rest of the app is rolled. */
    @POST
    @Path("{id}/promote")
    @Blocking
    @Operation(summary = "Promote a deployment paused with healthy canaries")
    public DeploymentJson promote(@PathParam("id") String id) {
        Deployment deployment = changeable(id, "promote");
        commands.submit(PromoteDeployment.of(deployment.appId(), id));
        // The scheduler recorded it RUNNING (or further) with its reply; show that, not the PAUSED the view had.
        return settled(deployment, d -> d.state() != DeploymentState.PAUSED);
    }

    /**
     * Ends a deployment under way and reverts it: its canaries and new instances go, and the definition
     * it started from comes back as a new app version.
     */
    @POST
    @Path("{id}/rollback")
    @Blocking
    @Operation(summary = "Stop a deployment and revert the app to the definition it started from")
    public DeploymentJson rollback(@PathParam("id") String id) {
        Deployment deployment = changeable(id, "roll back");
        // The revert brings back the definition the deployment started from, user and all.
        caller.mustRunAs(deployment.appId(), deployment.from() == null ? null : deployment.from().user());
        // The revert is a new app version: wait for it too, so that reading the app right after shows it.
        changes.apply(RollbackDeployment.of(deployment.appId(), id));
        return settled(deployment, Deployment::isFinished);
    }

    /** The same as {@code POST /rollback}: stopping a deployment always reverts it (Marathon's DELETE). */
    @DELETE
    @Path("{id}")
    @Blocking
    @Operation(summary = "Stop a deployment and revert it (the same as POST …/rollback)")
    public DeploymentJson delete(@PathParam("id") String id) {
        return rollback(id);
    }

    /** The deployment if it exists and its app is the caller's to see; else 404, the same either way. */
    private Deployment visible(String id) {
        return view.deployment(id).filter(d -> caller.sees(d.appId()))
                .orElseThrow(() -> ProblemException.notFound("no deployment " + id));
    }

    /**
     * The deployment, if the caller sees it (else 404) and may change its app (else 403), and it has not
     * ended (409). The last is a fast path only: an ended deployment never starts again, so the view cannot
     * be wrong about it; about one still under way only the scheduler can say, and its reply decides.
     */
    private Deployment changeable(String id, String verb) {
        Deployment deployment = visible(id);
        caller.mustChange(deployment.appId(), verb + " a deployment of");
        if (deployment.isFinished()) {
            throw new ProblemException(Problem.of(409, "deployment-ended", "Deployment has ended",
                    "the deployment " + id + " of " + deployment.appId() + " has ended (" + deployment.state()
                            + "); you cannot " + verb + " it. To bring back an earlier definition, roll the app "
                            + "back: POST /v1/apps" + deployment.appId() + "/rollback?version=<n>"));
        }
        return deployment;
    }

    /**
     * The deployment once the view shows the change the scheduler accepted (it wrote the record in the
     * transaction of its reply, so it comes), waiting at most {@code view-catch-up-wait}; if the view is
     * slower than that, the latest it has (or the one read before the command, should the scheduler have
     * forgotten it meanwhile).
     */
    private DeploymentJson settled(Deployment before, Predicate<Deployment> changed) {
        Optional<Deployment> after = view.awaitDeployment(before.deploymentId(),
                d -> d.isEmpty() || changed.test(d.get()), config.viewCatchUpWait());
        return DeploymentJson.of(after.orElse(before));
    }
}
