package dev.berth.gateway.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;

import java.util.List;

/**
 * An app as the API shows it: its definition in Marathon's field names, then what Berth adds —
 * version, a status, counts of running and staged tasks, and the tasks themselves.
 */
public final class AppJson {
    public static final String PENDING = "PENDING";
    public static final String DEPLOYING = "DEPLOYING";
    public static final String RUNNING = "RUNNING";
    public static final String DELETING = "DELETING";

    private AppJson() {
    }

    public static ObjectNode of(AppState state, List<TaskRecord> tasks) {
        long running = tasks.stream().filter(t -> t.state() == TaskState.RUNNING || t.state() == TaskState.HEALTHY)
                .count();
        long staged = tasks.stream().filter(t -> t.state() == TaskState.STAGING || t.state() == TaskState.STARTING)
                .count();
        String status = state.deleting() ? DELETING
                : running == state.definition().instances() && tasks.size() == running ? RUNNING : DEPLOYING;
        return build(state.definition(), state.version(), status, running, staged, tasks);
    }

    public static ObjectNode pending(AppDefinition app) {
        return build(app, 0, PENDING, 0, 0, List.of());
    }

    private static ObjectNode build(AppDefinition app, long version, String status, long running, long staged,
                                    List<TaskRecord> tasks) {
        ObjectNode json = JsonCodec.mapper().valueToTree(app);
        json.put("version", version);
        json.put("status", status);
        json.put("tasksRunning", running);
        json.put("tasksStaged", staged);
        json.set("tasks", JsonCodec.mapper().valueToTree(tasks.stream().map(TaskJson::of).toList()));
        return json;
    }
}
