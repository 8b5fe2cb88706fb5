package dev.berth.gateway.apps;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;

import java.util.List;

/**
 * A task as the API shows it: where it runs (node, host, ports), what state it is in and, in
 * Marathon's field {@code healthCheckResults}, what its health check last reported.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskJson(String id, String appId, int instance, long appVersion, String node, String host,
                       List<Integer> ports, List<PortAssignment> portAssignments, TaskState state,
                       DesiredState desired, String reason, Integer exitCode,
                       List<HealthCheckResult> healthCheckResults) {

    /**
     * The last health-check transition the task's agent reported: agents report changes, not every
     * probe, so this is the check that last changed the task's health. Empty before any report and
     * for apps without checks, as in Marathon.
     *
     * @param alive the check passes now (no failure since its last pass)
     */
    public record HealthCheckResult(int checkIndex, boolean alive, int consecutiveFailures,
                                    int maxConsecutiveFailures, String lastResult) {
        static HealthCheckResult of(HealthReport report) {
            return new HealthCheckResult(report.checkIndex(), report.consecutiveFailures() == 0,
                    report.consecutiveFailures(), report.maxConsecutiveFailures(), report.lastResult());
        }
    }

    public static TaskJson of(TaskRecord task) {
        return new TaskJson(task.taskId(), task.appId(), task.instance(), task.appVersion(), task.nodeId(),
                task.host(), task.ports().stream().map(PortAssignment::port).toList(), task.ports(), task.state(),
                task.desired(), task.reason(), task.exitCode(),
                task.health() == null ? List.of() : List.of(HealthCheckResult.of(task.health())));
    }
}
