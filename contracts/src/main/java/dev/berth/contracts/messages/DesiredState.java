package dev.berth.contracts.messages;

/** What the scheduler wants of a task. Kept apart from {@link TaskState}, which is what is observed. */
public enum DesiredState {
    RUN,
    STOP
}
