package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * What every message on every topic carries: a unique {@code id} (so consumers can be idempotent
 * under at-least-once delivery), the {@code schemaVersion} of its shape, when it happened, and the
 * id of the message it answers or follows, if any.
 */
public interface Message {
    /** The schema version of every message type defined today. Bump per type when a field is added. */
    int SCHEMA_VERSION = 1;

    String id();

    int schemaVersion();

    Instant occurredAt();

    /** The id of the message this one answers or follows; null when it starts a chain. */
    String correlationId();
}
