package dev.berth.contracts.messages;

import java.time.Instant;

/** Stop every task of the app and forget it. */
public record DeleteApp(String id, int schemaVersion, Instant occurredAt, String correlationId,
                        String appId) implements AppCommand {

    public static DeleteApp of(String appId) {
        return new DeleteApp(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId);
    }
}
