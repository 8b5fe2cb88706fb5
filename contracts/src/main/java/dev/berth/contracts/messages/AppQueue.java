package dev.berth.contracts.messages;

import java.time.Instant;
import java.util.Map;

/**
 * The instances of one app that wait to run and why, on the compacted {@code berth.queue} keyed by
 * app id. Written by the scheduler when the picture changes; a tombstone when nothing waits any
 * more. Read by the gateway ({@code GET /v1/queue}, and {@code unplaced} on the app).
 *
 * @param waiting      instances that have no task yet
 * @param unplaced     why they could not be placed: reason → number of nodes that gave it
 *                     ({@code "insufficient mem": 3, "constraint hostname UNIQUE": 2}); empty when
 *                     they only wait for a delay
 * @param delayedUntil when a failing instance may be relaunched (backoff); null when not delayed
 * @param since        when the app started to wait
 */
public record AppQueue(String id, int schemaVersion, Instant occurredAt, String correlationId, String appId,
                       int waiting, Map<String, Integer> unplaced, Instant delayedUntil, Instant since)
        implements Message {

    public AppQueue {
        unplaced = unplaced == null ? Map.of() : Map.copyOf(unplaced);
    }

    public static AppQueue of(String appId, int waiting, Map<String, Integer> unplaced, Instant delayedUntil,
                              Instant since) {
        return new AppQueue(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, waiting, unplaced, delayedUntil,
                since);
    }
}
