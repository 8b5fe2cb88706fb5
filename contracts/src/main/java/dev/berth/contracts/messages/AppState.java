package dev.berth.contracts.messages;

import dev.berth.contracts.app.AppDefinition;

import java.time.Instant;

/**
 * The accepted desired state of one app, on the compacted {@code berth.apps} keyed by app id.
 * Written only by the scheduler; read by the gateway (its view) and by a scheduler that takes
 * over. {@code version} grows by one with every accepted change. While {@code deleting} is true
 * the app's tasks are being stopped; once they are gone the scheduler writes a tombstone.
 */
public record AppState(String id, int schemaVersion, Instant occurredAt, String correlationId,
                       String appId, long version, AppDefinition definition, boolean deleting) implements Message {

    public static AppState of(AppDefinition definition, long version, boolean deleting, String correlationId) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, definition.id(), version,
                definition, deleting);
    }
}
