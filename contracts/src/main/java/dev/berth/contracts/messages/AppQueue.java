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
 * @param delay        why it is delayed, with {@code delayedUntil}: the failure that caused the backoff and
 *                     its numbers; null when not delayed (and in records written before it existed)
 */
public record AppQueue(String id, int schemaVersion, Instant occurredAt, String correlationId, String appId,
                       int waiting, Map<String, Integer> unplaced, Instant delayedUntil, Instant since,
                       Delay delay) implements Message {

    /**
     * Why a failing app waits before its next launch.
     *
     * @param lastFailure    the failure that started (or lengthened) the wait
     * @param failuresInARow tasks that failed since the app last stayed up
     * @param backoffSeconds the wait this failure caused: {@code backoffSeconds}, times {@code backoffFactor}
     *                       for each failure before it, at most {@code maxLaunchDelaySeconds}
     */
    public record Delay(TaskFailure lastFailure, int failuresInARow, double backoffSeconds) {
    }

    public AppQueue {
        unplaced = unplaced == null ? Map.of() : Map.copyOf(unplaced);
    }

    /** An entry without the delay's reason (the shape before it existed). */
    public AppQueue(String id, int schemaVersion, Instant occurredAt, String correlationId, String appId,
                    int waiting, Map<String, Integer> unplaced, Instant delayedUntil, Instant since) {
        this(id, schemaVersion, occurredAt, correlationId, appId, waiting, unplaced, delayedUntil, since, null);
    }

    public static AppQueue of(String appId, int waiting, Map<String, Integer> unplaced, Instant delayedUntil,
                              Instant since) {
        return of(appId, waiting, unplaced, delayedUntil, since, null);
    }

    public static AppQueue of(String appId, int waiting, Map<String, Integer> unplaced, Instant delayedUntil,
                              Instant since, Delay delay) {
        return new AppQueue(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, waiting, unplaced, delayedUntil,
                since, delayedUntil == null ? null : delay);
    }
}
