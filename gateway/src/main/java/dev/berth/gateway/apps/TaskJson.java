package dev.berth.gateway.apps;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;

import java.util.List;

/** A task as the API shows it: where it runs (node, host, ports) and what state it is in. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskJson(String id, String appId, int instance, long appVersion, String node, String host,
                       List<Integer> ports, List<PortAssignment> portAssignments, TaskState state,
                       DesiredState desired, String reason, Integer exitCode) {

    public static TaskJson of(TaskRecord task) {
        return new TaskJson(task.taskId(), task.appId(), task.instance(), task.appVersion(), task.nodeId(),
                task.host(), task.ports().stream().map(PortAssignment::port).toList(), task.ports(), task.state(),
                task.desired(), task.reason(), task.exitCode());
    }
}
