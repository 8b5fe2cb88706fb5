package dev.berth.agent.health;

import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.TaskState;

/** A change of a task's health worth reporting: what {@link HealthListener#changed} receives. */
record HealthTransition(TaskState state, String reason, HealthReport report) {
}
