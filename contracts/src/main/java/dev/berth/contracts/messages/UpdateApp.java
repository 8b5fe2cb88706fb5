package dev.berth.contracts.messages;

import dev.berth.contracts.app.AppDefinition;

import java.time.Instant;

/**
 * Replace the app's definition (a PUT). The definition has already passed
 * {@link dev.berth.contracts.app.AppDefinitionParser}, and the gateway guarantees its id is the app's.
 * A change of only {@code instances} keeps the running tasks (as a scale does); any other change
 * replaces every task, one after another (as a restart does).
 *
 * @param expectedVersion the version the client read (If-Match): the update is refused unless the app
 *                        is still at it; null for an unconditional update
 */
public record UpdateApp(String id, int schemaVersion, Instant occurredAt, String correlationId,
                        AppDefinition app, Long expectedVersion) implements AppCommand {

    public static UpdateApp of(AppDefinition app, Long expectedVersion) {
        return new UpdateApp(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, app, expectedVersion);
    }

    @Override
    public String appId() {
        return app.id();
    }
}
