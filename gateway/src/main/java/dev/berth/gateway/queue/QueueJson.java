package dev.berth.gateway.queue;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.gateway.apps.FailureJson;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One app's waiting instances as the API shows them. {@code unplaced} maps each reason a node gave
 * to how many nodes gave it, the most common first; {@code delayedUntil} is null unless a failing
 * instance waits out its backoff, and then {@code delay} says why: the failure that caused it, how many
 * failed in a row, and the wait it caused.
 */
public record QueueJson(String appId, int waiting, Map<String, Integer> unplaced, Instant delayedUntil,
                        Instant since, @JsonInclude(JsonInclude.Include.NON_NULL) Delay delay) {

    /** Why a failing app waits: its last failure, failures in a row, and the backoff that followed. */
    public record Delay(FailureJson lastFailure, int failuresInARow, double backoffSeconds) {
        public static Delay of(AppQueue.Delay delay) {
            return delay == null ? null
                    : new Delay(FailureJson.of(delay.lastFailure()), delay.failuresInARow(), delay.backoffSeconds());
        }
    }

    public static QueueJson of(AppQueue entry) {
        return new QueueJson(entry.appId(), entry.waiting(), mostCommonFirst(entry.unplaced()), entry.delayedUntil(),
                entry.since(), Delay.of(entry.delay()));
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
