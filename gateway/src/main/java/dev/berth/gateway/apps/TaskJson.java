package dev.berth.gateway.apps;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeType;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A task as the API shows it: where it runs (node, host, ports), what state it is in and, in
 * Marathon's field {@code healthCheckResults}, what its health check last reported. A task of a
 * stateful app also shows its {@code identity}, the {@code volumes} mounted into it and, while the
 * volume service has not attached them all, {@code awaitingVolumes} (its launch waits for them).
 * On its app, a task also shows its instance's {@code restarts} (tasks of that instance that ended while
 * they should have run) and {@code lastFailure}; a task that ended shows when ({@code endedAt}); a task
 * of a routed app being stopped shows until when the routers drain it before its kill ({@code drainUntil}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskJson(String id, String appId, int instance, String identity, long appVersion, String node,
                       String host, List<Integer> ports, List<PortAssignment> portAssignments, TaskState state,
                       DesiredState desired, String reason, Integer exitCode,
                       List<HealthCheckResult> healthCheckResults, List<Volume> volumes,
                       List<String> awaitingVolumes, Instant launchedAt, Instant runningSince, Instant endedAt,
                       Integer restarts, FailureJson lastFailure, Instant drainUntil) {

    /**
     * A volume mounted into the task.
     *
     * @param mode         Marathon's RW or RO; {@code readOnly} says the same as a boolean
     * @param fencingEpoch the epoch of its attachment; 0 until the volume service has attached it
     */
    public record Volume(String volumeId, String containerPath, String mode, boolean readOnly, VolumeType type,
                         String provider, long sizeMib, long fencingEpoch) {
        static Volume of(VolumeMount mount) {
            return new Volume(mount.volumeId(), mount.containerPath(), mount.readOnly() ? "RO" : "RW",
                    mount.readOnly(), mount.type(), mount.provider(), mount.sizeMib(), mount.fencingEpoch());
        }
    }

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

    /** A task on its app, with its instance's restarts and last failure. */
    public static TaskJson of(TaskRecord task, Optional<AppTaskHistory> history) {
        TaskJson json = of(task);
        AppTaskHistory.InstanceRestarts instance = history.map(h -> h.instance(task.instance()))
                .orElse(new AppTaskHistory.InstanceRestarts(task.instance(), 0, null));
        return new TaskJson(json.id, json.appId, json.instance, json.identity, json.appVersion, json.node, json.host,
                json.ports, json.portAssignments, json.state, json.desired, json.reason, json.exitCode,
                json.healthCheckResults, json.volumes, json.awaitingVolumes, json.launchedAt, json.runningSince,
                json.endedAt, instance.restarts(), FailureJson.of(instance.lastFailure()), json.drainUntil);
    }

    /** A task as it is recorded now, or (its state an end) as it ended: {@code endedAt} is its last record's time. */
    public static TaskJson of(TaskRecord task) {
        return new TaskJson(task.taskId(), task.appId(), task.instance(), task.identity(), task.appVersion(),
                task.nodeId(), task.host(), task.ports().stream().map(PortAssignment::port).toList(), task.ports(),
                task.state(), task.desired(), task.reason(), task.exitCode(),
                task.health() == null ? List.of() : List.of(HealthCheckResult.of(task.health())),
                task.volumes().stream().map(Volume::of).toList(),
                // Shown only while something is awaited: an empty list would read as "waiting for nothing".
                task.awaitingVolumes().isEmpty() ? null : task.awaitingVolumes(),
                task.launchedAt(), task.runningSince(), task.state().isTerminal() ? task.occurredAt() : null,
                null, null, task.drainUntil());
    }
}
