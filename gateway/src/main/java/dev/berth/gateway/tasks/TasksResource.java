package dev.berth.gateway.tasks;

import dev.berth.contracts.app.FieldError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.KillAppTask;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.gateway.Kafka;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.apps.TaskJson;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.query.PageQuery;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
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

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The tasks the scheduler records on {@code berth.tasks}, across apps, shown as on their app; and the
 * kill of one of them, a command to the scheduler answered with its reply.
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
    public RestResponse<Map<String, List<TaskJson>>> list(@QueryParam("app") List<String> app,
                                                           @QueryParam("node") List<String> node,
                                                           @QueryParam("state") List<String> state,
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

    /**
     * Kills one task of an app. Without {@code scale} the scheduler launches a replacement (not counted as
     * a failure); with {@code scale=true} the app's instance count drops by one and exactly this task goes.
     * Answered with the task and the app's version after the kill, once the scheduler accepted it.
     */
    @POST
    @Path("{id}/kill")
    @Blocking
    @Operation(summary = "Kill a task (a replacement starts), or with scale=true scale its app down by it")
    public Response kill(@PathParam("id") String id, @QueryParam("scale") String rawScale) {
        boolean scaleDown = scale(rawScale);
        TaskRecord task = kafka.view().task(id).filter(t -> caller.sees(t.appId()))
                .orElseThrow(() -> ProblemException.notFound("no task " + id));
        caller.mustChange(task.appId(), "kill a task of");
        CommandReply reply = kafka.submit(KillAppTask.of(task.appId(), id, scaleDown));
        kafka.appAtLeast(task.appId(), reply.appVersion());
        ObjectNode json = JsonCodec.mapper().createObjectNode();
        json.set("task", JsonCodec.mapper().valueToTree(TaskJson.of(kafka.view().task(id).orElse(task))));
        json.put("scale", scaleDown);
        json.put("appVersion", reply.appVersion());
        return Response.ok(json).build();
    }

    /** {@code ?scale=}: absent means false, so a kill never shrinks an app unless asked to. */
    private static boolean scale(String raw) {
        if (raw == null) {
            return false;
        }
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(raw);
        }
        FieldError error = new FieldError("scale", "scale must be true (the app keeps one instance fewer) or false "
                + "(a replacement starts; the default), was '" + raw + "'");
        throw new ProblemException(Problem.of(400, "invalid-kill", "Invalid kill request", error.message())
                .withErrors(List.of(error)));
    }
}
