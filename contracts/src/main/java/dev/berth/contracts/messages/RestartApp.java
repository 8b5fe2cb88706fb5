package dev.berth.contracts.messages;

import java.time.Instant;

/** Replace every instance of the app with a fresh task, one after another, keeping the instance count. */
public record RestartApp(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String appId) implements AppCommand {

    public static RestartApp of(String appId) {
        return new RestartApp(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId);
    }
}
