package dev.berth.gateway.nodes;

import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.auth.Role;
import dev.berth.gateway.commands.CommandBus;
import dev.berth.gateway.query.PageQuery;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.view.ClusterView;
import dev.berth.gateway.view.NodeMode;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The nodes of the pool, as their agents last reported them, with what the scheduler placed there
 * and what an operator asked of them. Drain and undrain are commands on the compacted
 * {@code berth.node-admin}: the latest one per node stands, so the scheduler reads every node's
 * wanted mode from there after any restart.
 */
@Path("/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "nodes")
public class NodesResource {
    @Inject
    ClusterView view;

    @Inject
    CommandBus commands;

    @Inject
    GatewayConfig config;

    @Inject
    Caller caller;

    @GET
    @Operation(summary = "List nodes with capacity, allocation and usage")
    public RestResponse<Map<String, List<NodeJson>>> list(@BeanParam PageQuery page) {
        caller.mustRead();
        Instant now = Instant.now();
        return page.respond("nodes", view.nodes().stream().map(n -> json(n, now)).toList());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a node")
    public NodeJson get(@PathParam("id") String id) {
        caller.mustRead();
        return json(node(id), Instant.now());
    }

    /** No new tasks on the node; its tasks move elsewhere. 202: the scheduler carries it out. */
    @POST
    @Path("{id}/drain")
    @Blocking
    @Operation(summary = "Drain a node: move its tasks away, place nothing new")
    public Response drain(@PathParam("id") String id) {
        caller.mustAdminister("draining a node");
        ClusterView.NodeEntry node = node(id);
        commands.send(DrainNode.of(id));
        return Response.accepted(json(node, Instant.now()).withMode(NodeMode.DRAINING)).build();
    }

    /** The node takes new tasks again. */
    @POST
    @Path("{id}/undrain")
    @Blocking
    @Operation(summary = "Undrain a node")
    public Response undrain(@PathParam("id") String id) {
        caller.mustAdminister("undraining a node");
        ClusterView.NodeEntry node = node(id);
        commands.send(UndrainNode.of(id));
        return Response.accepted(json(node, Instant.now()).withMode(NodeMode.ACTIVE)).build();
    }

    private ClusterView.NodeEntry node(String id) {
        return view.node(id).orElseThrow(() -> ProblemException.notFound("no node " + id));
    }

    private NodeJson json(ClusterView.NodeEntry entry, Instant now) {
        NodeReport r = entry.report();
        return new NodeJson(r.nodeId(), r.hostname(), r.host(), r.capacity(), allocated(r.nodeId()), r.ports(),
                r.attributes(), r.isolation(), r.confinement(), r.agentUrl(), visibleTasks(r.runningTaskIds()), NodeUsageJson.of(r.usage()),
                entry.lastSeen(), entry.reachable(now, config.nodeTimeout()), view.nodeMode(r.nodeId()), r.images());
    }

    /**
     * The node's running tasks that belong to apps the caller sees. Everyone sees the node and what is
     * allocated on it, but not the names of other teams' tasks; a task the gateway has no record of
     * yet is shown only to administrators.
     */
    private List<String> visibleTasks(List<String> taskIds) {
        if (taskIds == null) {
            return List.of();
        }
        return taskIds.stream().filter(id -> view.task(id).map(t -> caller.sees(t.appId()))
                .orElse(caller.role() == Role.ADMIN)).toList();
    }

    /** What the tasks placed on the node and not yet ended ask for, by their app's definition. */
    private NodeResources allocated(String nodeId) {
        NodeResources sum = NodeResources.NONE;
        for (TaskRecord task : view.tasks()) {
            if (!nodeId.equals(task.nodeId()) || task.state().isTerminal()) {
                continue;
            }
            var app = view.app(task.appId());
            if (app.isPresent()) {
                var def = app.get().definition();
                sum = sum.plus(new NodeResources(def.cpus(), def.mem(), def.disk()));
            }
        }
        return sum;
    }
}
