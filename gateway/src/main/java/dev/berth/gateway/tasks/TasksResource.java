package dev.berth.gateway.tasks;

import dev.berth.contracts.app.FieldError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.KillAppTask;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.apps.AppChanges;
import dev.berth.gateway.apps.TaskJson;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.query.PageQuery;
import dev.berth.gateway.view.ClusterView;
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
import java.util.Set;
import java.util.stream.Stream;

/**
 * The tasks the scheduler records on {@code berth.tasks}, across apps, shown as on their app; and the
 * kill of one of them, a command to the scheduler answered with its reply.
 * A task that ended leaves {@code berth.tasks} at once; its final record stays on its app's task
 * history (the scheduler keeps the last {@code berth.scheduler.ended-tasks-kept} per app), which
 * {@code ?state=terminal} lists (newest end first) and {@code GET /v1/tasks/{id}} still finds. Its logs
 * stay readable until its agent's sandbox retention removes them (see {@code TaskLogsResource}).
 */
@Path("/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tasks")
public class TasksResource {
    @Inject
    ClusterView view;

    @Inject
    AppChanges changes;

    @Inject
    Caller caller;

    @GET
    @Operation(summary = "List tasks, by app, node or state (state=terminal: the ended tasks kept per app)")
    public RestResponse<Map<String, List<TaskJson>>> list(@QueryParam("app") List<String> app,
                                                           @QueryParam("node") List<String> node,
                                                           @QueryParam("state") List<String> state,
                                                           @BeanParam PageQuery page) {
        caller.mustRead();
        List<FieldError> errors = new ArrayList<>();
        List<String> given = state == null ? List.of() : state;
        boolean terminal = given.stream().anyMatch(TasksResource::isTerminal);
        TaskFilter filter = TaskFilter.parse(app, node, given.stream().filter(v -> !isTerminal(v)).toList(), errors);
        if (!errors.isEmpty()) {
            // The list of states names the enum's; the filter's own word for every end is valid too.
            throw ProblemException.invalidQuery("invalid-task-filter", "Invalid task filter", errors.stream()
                    .map(e -> e.field().equals("state") ? new FieldError(e.field(), e.message()
                            + ", or " + TERMINAL + " (every end state)") : e).toList());
        }
        // Live tasks (by id), then ended ones (newest end first) when an end is asked for.
        boolean liveAsked = !terminal || !filter.states().isEmpty();
        Stream<TaskRecord> live = !liveAsked ? Stream.empty() : view.tasks().stream().filter(filter)
                .sorted(Comparator.comparing(TaskRecord::taskId));
        boolean endsAsked = terminal || filter.states().stream().anyMatch(TaskState::isTerminal);
        TaskFilter endedFilter = terminal ? new TaskFilter(filter.appIds(), filter.nodeIds(), Set.of()) : filter;
        Stream<TaskRecord> ended = !endsAsked ? Stream.empty() : view.endedTasks().stream().filter(endedFilter)
                .sorted(Comparator.comparing(TaskRecord::occurredAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return page.respond("tasks", Stream.concat(live, ended).filter(t -> caller.sees(t.appId()))
                .map(this::json).toList());
    }

    /** A task as under its app: a live one with its instance's restarts and last failure; an ended one as it ended. */
    private TaskJson json(TaskRecord task) {
        return task.state().isTerminal() ? TaskJson.of(task) : TaskJson.of(task, view.history(task.appId()));
    }

    /** {@code ?state=terminal}: every end state at once (FINISHED, FAILED, KILLED, LOST). */
    static final String TERMINAL = "terminal";

    private static boolean isTerminal(String state) {
        return state != null && TERMINAL.equalsIgnoreCase(state.strip());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a task")
    public TaskJson get(@PathParam("id") String id) {
        caller.mustRead();
        return view.task(id).or(() -> view.endedTask(id)).filter(t -> caller.sees(t.appId()))
                .map(this::json)
                .orElseThrow(() -> ProblemException.notFound("no task " + id + " (a task is known while it runs, and "
                        + "after it ended while its app's history keeps it)"));
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
        TaskRecord task = view.task(id).filter(t -> caller.sees(t.appId()))
                .orElseThrow(() -> ProblemException.notFound("no task " + id));
        caller.mustChange(task.appId(), "kill a task of");
        // Waits for the view to show the app after the kill, so the task below is as the scheduler left it.
        CommandReply reply = changes.apply(KillAppTask.of(task.appId(), id, scaleDown)).reply();
        ObjectNode json = JsonCodec.mapper().createObjectNode();
        json.set("task", JsonCodec.mapper().valueToTree(TaskJson.of(view.task(id).orElse(task))));
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
