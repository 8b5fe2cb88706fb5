package dev.berth.gateway.nodes;

import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.gateway.Kafka;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.view.ClusterView;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Map;

/** The nodes of the pool, as their agents last reported them, with what the scheduler placed there. */
@Path("/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
public class NodesResource {
    @Inject
    Kafka kafka;

    @GET
    public Map<String, List<NodeJson>> list() {
        return Map.of("nodes", kafka.view().nodes().stream().map(this::json).toList());
    }

    @GET
    @Path("{id}")
    public NodeJson get(@PathParam("id") String id) {
        return kafka.view().node(id).map(this::json).orElseThrow(() -> ProblemException.notFound("no node " + id));
    }

    private NodeJson json(ClusterView.NodeEntry entry) {
        NodeReport r = entry.report();
        return new NodeJson(r.nodeId(), r.hostname(), r.host(), r.capacity(), allocated(r.nodeId()), r.ports(),
                r.attributes(), r.isolation(), r.agentUrl(), r.runningTaskIds(), entry.lastSeen());
    }

    /** What the tasks placed on the node and not yet ended ask for, by their app's definition. */
    private NodeResources allocated(String nodeId) {
        NodeResources sum = NodeResources.NONE;
        for (TaskRecord task : kafka.view().tasks()) {
            if (!nodeId.equals(task.nodeId()) || task.state().isTerminal()) {
                continue;
            }
            var app = kafka.view().app(task.appId());
            if (app.isPresent()) {
                var def = app.get().definition();
                sum = sum.plus(new NodeResources(def.cpus(), def.mem(), def.disk()));
            }
        }
        return sum;
    }
}
