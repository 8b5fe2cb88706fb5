package dev.berth.agent.api;

import dev.berth.agent.Agent;
import dev.berth.agent.sweep.StraySweep;
import dev.berth.agent.sweep.SweepReport;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.agent.task.TaskView;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/**
 * The agent's own small HTTP API: the tasks it knows, with pid, state and sandbox, and the stray
 * processes its sweeps found. For operators, the local run's {@code down} script and tests; the
 * cluster's view of tasks is the scheduler's.
 */
@Path("/v1/agent")
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {
    @Inject
    Agent agent;

    /** Every task this agent knows (running or ended), oldest launch first. */
    @GET
    @Path("/tasks")
    public List<TaskView> tasks() {
        TaskSupervisor supervisor = agent.supervisor();
        return supervisor == null ? List.of() : supervisor.tasks(); // null only while the agent starts
    }

    /**
     * What the agent's sweeps for stray processes have found: processes of its tasks that no live task
     * accounted for, killed (see {@link StraySweep}).
     */
    @GET
    @Path("/strays")
    public SweepReport strays() {
        StraySweep sweep = agent.sweep();
        return sweep == null ? new SweepReport(0, null, 0, List.of()) : sweep.report();
    }
}
