package dev.berth.gateway.tasks;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.gateway.Kafka;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.apps.TaskJson;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.query.PageQuery;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The tasks the scheduler records on {@code berth.tasks}, across apps, shown as on their app.
 * A task that ended is gone from here once the scheduler removed it (its logs stay readable for a
 * while, see {@code TaskLogsResource}).
 */
@Path("/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tasks")
public class TasksResource {
    @Inject
    Kafka kafka;

    @Inject
    Caller caller;

    @GET
    @Operation(summary = "List tasks, by app, node or state")
    public RestResponse<Map<String, List<TaskJson>>> list(@QueryParam("app") String app,
                                                           @QueryParam("node") String node,
                                                           @QueryParam("state") String state,
                                                           @BeanParam PageQuery page) {
        caller.mustRead();
        List<FieldError> errors = new ArrayList<>();
        TaskFilter filter = TaskFilter.parse(app, node, state, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalidQuery("invalid-task-filter", "Invalid task filter", errors);
        }
        return page.respond("tasks", kafka.view().tasks().stream().filter(t -> caller.sees(t.appId())).filter(filter)
                .sorted(Comparator.comparing(TaskRecord::taskId)).map(TaskJson::of).toList());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a task")
    public TaskJson get(@PathParam("id") String id) {
        caller.mustRead();
        return kafka.view().task(id).filter(t -> caller.sees(t.appId())).map(TaskJson::of)
                .orElseThrow(() -> ProblemException.notFound("no task " + id));
    }
}
