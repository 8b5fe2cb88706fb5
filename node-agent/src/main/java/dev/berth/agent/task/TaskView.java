package dev.berth.agent.task;

import dev.berth.contracts.messages.TaskState;

import java.time.Instant;

/** One task as the agent sees it, for its HTTP listing. {@code pid} is 0 until the process starts. */
public record TaskView(String taskId, String appId, long pid, TaskState state, Integer exitCode, String sandbox,
                       Instant launchedAt) {
}
