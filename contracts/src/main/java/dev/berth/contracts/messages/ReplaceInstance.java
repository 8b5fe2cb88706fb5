package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Give an identity of a stateful app fresh volumes on another node: an operator's explicit act for
 * an instance whose local volume's node is gone (or automatic after the app's
 * {@code unreachableStrategy.replaceAfterSeconds}). The old volumes are released, never destroyed.
 */
public record ReplaceInstance(String id, int schemaVersion, Instant occurredAt, String correlationId,
                              String appId, String identity, String reason) implements AppCommand {

    public static ReplaceInstance of(String appId, String identity, String reason) {
        return new ReplaceInstance(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, identity, reason);
    }
}
