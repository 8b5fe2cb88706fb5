package dev.berth.agent.task;

import dev.berth.agent.runtime.ProcessStamp;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;

import java.time.Instant;

/**
 * What the agent writes down about a task, beside its sandbox, so that the next agent process can
 * take it over: STARTING before its process starts (no process yet), RUNNING once it runs, and its
 * end once it has ended (so that a launch delivered again after a restart does not start it twice).
 *
 * @param process null until the process has started
 */
public record TaskCheckpoint(String taskId, String appId, String launchId, TaskSpec spec, ProcessStamp process,
                             Instant launchedAt, TaskState state, String reason, Integer exitCode) {
}
