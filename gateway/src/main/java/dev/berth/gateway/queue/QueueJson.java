package dev.berth.gateway.queue;

import dev.berth.contracts.messages.AppQueue;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One app's waiting instances as the API shows them. {@code unplaced} maps each reason a node gave
 * to how many nodes gave it, the most common first; {@code delayedUntil} is null unless a failing
 * instance waits out its backoff.
 */
public record QueueJson(String appId, int waiting, Map<String, Integer> unplaced, Instant delayedUntil,
                        Instant since) {

    public static QueueJson of(AppQueue entry) {
        return new QueueJson(entry.appId(), entry.waiting(), mostCommonFirst(entry.unplaced()), entry.delayedUntil(),
                entry.since());
    }

    /** The reasons ordered by how many nodes gave them, then by name, so answers are stable. */
    public static Map<String, Integer> mostCommonFirst(Map<String, Integer> reasons) {
        Map<String, Integer> ordered = new LinkedHashMap<>();
        reasons.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> ordered.put(e.getKey(), e.getValue()));
        return ordered;
    }
}
