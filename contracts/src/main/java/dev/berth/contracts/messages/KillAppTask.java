package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * An operator kills one task of the app (not {@link KillTask}, which is the scheduler's command to a
 * node). Without {@code scaleDown} the task is stopped and its instance relaunched as a normal
 * replacement, not counted as a failure; with {@code scaleDown} the app's instance count drops by one
 * and exactly this task is the one stopped (for a stateful app only the highest identity may go so).
 */
public record KillAppTask(String id, int schemaVersion, Instant occurredAt, String correlationId,
                          String appId, String taskId, boolean scaleDown) implements AppCommand {

    public static KillAppTask of(String appId, String taskId, boolean scaleDown) {
        return new KillAppTask(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, taskId, scaleDown);
    }
}
