package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * How long each failing app waits before its next launch, Marathon's way: the first failure waits
 * {@code backoffSeconds}, each further one {@code backoffFactor} times longer, up to
 * {@code maxLaunchDelaySeconds}. Kept in memory only: a scheduler that takes over starts every app
 * afresh, which at worst launches a failing app once more.
 */
final class Backoffs {
    /** The delay that applies now, and when the app may launch again. */
    private record Backoff(Duration delay, Instant notBefore) {
    }

    private final Map<String, Backoff> backoffs = new HashMap<>();

    /** The app failed (again): its next launch waits, longer than after its previous failure. */
    void failed(String appId, AppDefinition def, Instant now) {
        Backoff previous = backoffs.get(appId);
        double seconds = previous == null ? def.backoffSeconds()
                : Math.min(previous.delay().toMillis() / 1000.0 * def.backoffFactor(), def.maxLaunchDelaySeconds());
        Duration delay = Duration.ofMillis(Math.round(seconds * 1000));
        backoffs.put(appId, new Backoff(delay, now.plus(delay)));
    }

    /** When the failing app may launch again; null when it is not backing off. */
    Instant delayedUntil(String appId, Instant now) {
        Backoff backoff = backoffs.get(appId);
        return backoff != null && now.isBefore(backoff.notBefore()) ? backoff.notBefore() : null;
    }

    /** The wait the app's last failure caused; null when it is not backing off. */
    Duration delay(String appId) {
        Backoff backoff = backoffs.get(appId);
        return backoff == null ? null : backoff.delay();
    }

    /** The app starts afresh (an operator's restart, or the app is gone). */
    void forgive(String appId) {
        backoffs.remove(appId);
    }

    /** Apps whose delay is over and that {@code stable} says stayed up since start afresh. */
    void forgiveStable(Instant now, Predicate<String> stable) {
        backoffs.entrySet().removeIf(entry -> !now.isBefore(entry.getValue().notBefore()) && stable.test(entry.getKey()));
    }
}
