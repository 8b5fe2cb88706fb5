package dev.berth.agent.task;

import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskUsage;

import java.time.Instant;

/**
 * One task as this agent sees it, for {@code GET /v1/agent/tasks}. {@code pid} is 0 until the
 * process has started; {@code reason} and {@code exitCode} are those of the last state reported;
 * {@code usage} is null until first measured.
 */
public record TaskView(String taskId, String appId, long pid, TaskState state, String reason, Integer exitCode,
                       String sandbox, Instant launchedAt, TaskUsage usage) {
}
