package dev.berth.contracts.messages;

import java.time.Instant;

/** Run this many instances of the app. Scale-down stops instances by the app's {@code killSelection}. */
public record ScaleApp(String id, int schemaVersion, Instant occurredAt, String correlationId,
                       String appId, int instances) implements AppCommand {

    public static ScaleApp of(String appId, int instances) {
        return new ScaleApp(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, instances);
    }
}
