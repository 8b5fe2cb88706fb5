package dev.berth.gateway.tasks;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.gateway.query.QueryValues;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The filters of {@code GET /v1/tasks}, each optional and each may repeat (any of its values):
 * {@code app} (an app id, with or without its leading slash), {@code node} (the node it was placed on)
 * and {@code state} (a {@link TaskState}, in any case). Every value given is checked, as the
 * deployments' filters do: {@code ?state=RUNNING&state=bogus} is refused naming {@code bogus}, not
 * read as {@code RUNNING}. A blank value filters nothing.
 */
public record TaskFilter(Set<String> appIds, Set<String> nodeIds, Set<TaskState> states)
        implements Predicate<TaskRecord> {

    /** Reads the query parameters as given (empty when absent); each bad value lands in {@code errors}. */
    public static TaskFilter parse(List<String> apps, List<String> nodes, List<String> states,
                                   List<FieldError> errors) {
        return new TaskFilter(QueryValues.appIds("app", apps, errors), QueryValues.texts(nodes),
                QueryValues.constants("state", states, TaskState.class, errors));
    }

    @Override
    public boolean test(TaskRecord task) {
        return QueryValues.anyOf(appIds, task.appId())
                && QueryValues.anyOf(nodeIds, task.nodeId())
                && QueryValues.anyOf(states, task.state());
    }
}
