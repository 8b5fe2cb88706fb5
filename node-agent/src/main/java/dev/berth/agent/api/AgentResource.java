package dev.berth.agent.api;

import dev.berth.agent.Agent;
import dev.berth.agent.task.TaskView;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** The agent's own small HTTP API: what it runs (for operators, the local run's `down`, and tests). */
@Path("/v1/agent")
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {
    @Inject
    Agent agent;

    @GET
    @Path("/tasks")
    public List<TaskView> tasks() {
        return agent.supervisor().tasks();
    }
}
