package dev.berth.gateway.apps;

import dev.berth.contracts.app.AppDefinition;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Apps this gateway has submitted whose state the scheduler has not written yet. They are shown
 * as PENDING, so a GET right after a POST does not answer 404, and a second POST of the same id
 * is refused. Entries expire: if the scheduler never records an app, it stops being shown.
 */
public final class PendingApps {
    private record Entry(AppDefinition app, Instant expires) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Duration ttl;

    public PendingApps(Duration ttl) {
        this.ttl = ttl;
    }

    /** Adds the app unless one with its id is pending already; true when added. */
    public boolean add(AppDefinition app, Instant now) {
        get(app.id(), now);
        return entries.putIfAbsent(app.id(), new Entry(app, now.plus(ttl))) == null;
    }

    public Optional<AppDefinition> get(String appId, Instant now) {
        Entry entry = entries.get(appId);
        if (entry == null) {
            return Optional.empty();
        }
        if (now.isAfter(entry.expires())) {
            entries.remove(appId, entry);
            return Optional.empty();
        }
        return Optional.of(entry.app());
    }

    public void remove(String appId) {
        entries.remove(appId);
    }

    public Map<String, AppDefinition> all(Instant now) {
        entries.keySet().forEach(id -> get(id, now));
        Map<String, AppDefinition> result = new java.util.TreeMap<>();
        entries.forEach((id, e) -> result.put(id, e.app()));
        return result;
    }
}
