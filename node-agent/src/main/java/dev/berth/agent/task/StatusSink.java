package dev.berth.agent.task;

import dev.berth.contracts.messages.TaskStatus;

/**
 * Where the supervisor reports what happens to tasks: {@code berth.task-status} in the service
 * ({@code StatusPublisher}), a list in unit tests. Must not block for long: it is called while a
 * task's state changes, so that reports leave in the order the states were taken.
 */
@FunctionalInterface
public interface StatusSink {
    void report(TaskStatus status);
}
