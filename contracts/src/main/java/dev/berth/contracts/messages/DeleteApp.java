package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Stop every task of the app and forget it. Its volumes are released and kept, unless {@code wipe}
 * asks for them to be destroyed with it.
 */
public record DeleteApp(String id, int schemaVersion, Instant occurredAt, String correlationId,
                        String appId, boolean wipe) implements AppCommand {

    public DeleteApp(String id, int schemaVersion, Instant occurredAt, String correlationId, String appId) {
        this(id, schemaVersion, occurredAt, correlationId, appId, false);
    }

    public static DeleteApp of(String appId) {
        return of(appId, false);
    }

    public static DeleteApp of(String appId, boolean wipe) {
        return new DeleteApp(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, wipe);
    }
}
