package dev.berth.contracts.messages;

import dev.berth.contracts.app.AppDefinition;

import java.time.Instant;

/**
 * The accepted desired state of one app, on the compacted {@code berth.apps} keyed by app id.
 * Written only by the scheduler; read by the gateway (its view) and by a scheduler that takes
 * over. {@code version} grows by one with every accepted change. While {@code deleting} is true
 * the app's tasks are being stopped; once they are gone the scheduler writes a tombstone.
 *
 * @param configVersion the oldest app version a task may have been launched for and still count as
 *                      current. A change that needs fresh tasks (a restart) raises it to the new
 *                      version, so the scheduler replaces older tasks even after a failover; a scale
 *                      raises only {@code version}. 0 in records written before it existed.
 */
public record AppState(String id, int schemaVersion, Instant occurredAt, String correlationId,
                       String appId, long version, AppDefinition definition, boolean deleting,
                       long configVersion) implements Message {

    /** A newly created app: version 1, every task current. */
    public static AppState of(AppDefinition definition, long version, boolean deleting, String correlationId) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, definition.id(), version,
                definition, deleting, version);
    }

    /** The next version with another definition (a scale); tasks stay current. */
    public AppState scaled(AppDefinition newDefinition, String cause) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, newDefinition,
                deleting, configVersion);
    }

    /** The next version, whose tasks must all be fresh (a restart). */
    public AppState restarted(String cause) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, definition,
                deleting, version + 1);
    }

    /** The next version, marked for deletion. */
    public AppState deleted(String cause) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, definition,
                true, configVersion);
    }
}
