package dev.berth.agent.task;

import dev.berth.contracts.messages.TaskStatus;

/** Where task status goes: {@code berth.task-status} in the service, a list in unit tests. */
@FunctionalInterface
public interface StatusSink {
    void report(TaskStatus status);
}
