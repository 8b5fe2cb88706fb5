package dev.berth.contracts.messages;

import java.time.Instant;

/** Open a drained node to new tasks again. Tasks already moved away stay where they are. */
public record UndrainNode(String id, int schemaVersion, Instant occurredAt, String correlationId,
                          String nodeId) implements NodeAdminCommand {

    public static UndrainNode of(String nodeId) {
        return new UndrainNode(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, nodeId);
    }
}
