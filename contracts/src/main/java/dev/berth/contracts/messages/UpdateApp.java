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
 * @param force           replace a deployment of the app that is still running (it ends SUPERSEDED and
 *                        the new one starts from the mix of versions it reached); without it such an
 *                        update is refused (CONFLICT). False in commands written before it existed.
 */
public record UpdateApp(String id, int schemaVersion, Instant occurredAt, String correlationId,
                        AppDefinition app, Long expectedVersion, boolean force) implements AppCommand {

    /** The shape before {@code force} existed: not forced. */
    public UpdateApp(String id, int schemaVersion, Instant occurredAt, String correlationId, AppDefinition app,
                     Long expectedVersion) {
        this(id, schemaVersion, occurredAt, correlationId, app, expectedVersion, false);
    }

    public static UpdateApp of(AppDefinition app, Long expectedVersion) {
        return of(app, expectedVersion, false);
    }

    public static UpdateApp of(AppDefinition app, Long expectedVersion, boolean force) {
        return new UpdateApp(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, app, expectedVersion, force);
    }

    @Override
    public String appId() {
        return app.id();
    }
}
