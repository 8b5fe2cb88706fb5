package dev.berth.gateway.apps;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.messages.TaskFailure;
import dev.berth.contracts.messages.TaskState;

import java.time.Instant;

/**
 * Why a task stopped running when it should have run, as the API shows it: Marathon's
 * {@code lastTaskFailure} fields ({@code appId}, {@code taskId}, {@code state}, {@code message},
 * {@code timestamp}, {@code version}, {@code host}) plus {@code exitCode}, {@code node} and the
 * {@code instance} it was, so one look says "OOM_KILLED on node-2, instance 1, exit 137".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FailureJson(String appId, String taskId, int instance, String identity, TaskState state,
                          String message, Integer exitCode, String node, String host, Instant timestamp,
                          long version) {

    public static FailureJson of(TaskFailure failure) {
        return failure == null ? null : new FailureJson(failure.appId(), failure.taskId(), failure.instance(),
                failure.identity(), failure.state(), failure.message(), failure.exitCode(), failure.nodeId(),
                failure.host(), failure.timestamp(), failure.version());
    }
}
