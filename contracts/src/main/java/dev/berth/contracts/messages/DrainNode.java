package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Give the node no new tasks and move its tasks elsewhere, one at a time, each replacement
 * started before its original is stopped.
 */
public record DrainNode(String id, int schemaVersion, Instant occurredAt, String correlationId,
                        String nodeId) implements NodeAdminCommand {

    public static DrainNode of(String nodeId) {
        return new DrainNode(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, nodeId);
    }
}
