package dev.berth.gateway.tasks;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.gateway.query.QueryValues;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The filters of {@code GET /v1/tasks}, each optional: {@code app} (an app id, with or without its
 * leading slash), {@code node} (the node it was placed on) and {@code state} (a {@link TaskState},
 * in any case).
 */
public record TaskFilter(String appId, String nodeId, TaskState state) implements Predicate<TaskRecord> {

    /** Reads the query parameters as given (null when absent); a bad one lands in {@code errors}. */
    public static TaskFilter parse(String app, String node, String state, List<FieldError> errors) {
        return new TaskFilter(QueryValues.appId("app", app, errors), QueryValues.text(node),
                QueryValues.constant("state", state, TaskState.class, errors));
    }

    @Override
    public boolean test(TaskRecord task) {
        return (appId == null || appId.equals(task.appId()))
                && (nodeId == null || nodeId.equals(task.nodeId()))
                && (state == null || state == task.state());
    }
}
