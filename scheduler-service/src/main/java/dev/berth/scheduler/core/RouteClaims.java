package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.messages.AppRoutes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.Ids;
import dev.berth.contracts.messages.Message;
import dev.berth.contracts.routing.RouteClaim;
import dev.berth.contracts.routing.RouteLabels;
import dev.berth.contracts.routing.RouteState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who owns which path and host of the routers, decided here and nowhere else (docs/routing.md). The
 * scheduler handles apps' changes one after another, so "first come" is well defined: an app whose
 * labels claim a path or host another app owns is refused that route, with the owner named, and never
 * silently shares it; a path outside the app's team ({@code /team-a/…} for {@code /team-a/…} apps) is
 * refused too. When an owner lets a claim go (its labels change, it is deleted), the apps that were
 * refused it are decided again, in id order, so the first of them gets it.
 *
 * <p>Every decision comes out as the app's {@link AppRoutes} (or its removal), which the edge writes
 * to {@code berth.routes} in the same transaction as the app's state; the routers and the gateway
 * only read it. Rebuilt from that topic on start, so a new leader keeps the owners its predecessor
 * chose.
 */
final class RouteClaims {
    /** What one decision changed: apps whose routes are to be written, and apps that have none any more. */
    record Decided(List<AppRoutes> recorded, List<String> removed) {
        static final Decided NOTHING = new Decided(List.of(), List.of());

        boolean isEmpty() {
            return recorded.isEmpty() && removed.isEmpty();
        }
    }

    private final Map<String, AppRoutes> byApp = new HashMap<>();
    /** "path /team-a/web" or "host web.example.com" → the app that owns it. */
    private final Map<String, String> owners = new HashMap<>();

    /** The app's routes as last decided. */
    Optional<AppRoutes> of(String appId) {
        return Optional.ofNullable(byApp.get(appId));
    }

    // ---- restore -----------------------------------------------------------------------------------

    void restore(AppRoutes routes) {
        forget(routes.appId());
        byApp.put(routes.appId(), routes);
        routes.routes().stream().filter(RouteState::active)
                .forEach(route -> route.claim().keys().forEach(key -> owners.put(key, routes.appId())));
    }

    void forget(String appId) {
        byApp.remove(appId);
        owners.values().removeIf(appId::equals);
    }

    // ---- decisions ---------------------------------------------------------------------------------

    /**
     * The app's new state: its claims are decided again (its own keys kept, new ones taken if free), and
     * the apps waiting for a key it let go get their turn. {@code apps} finds the current state of those.
     */
    Decided recorded(AppState app, java.util.function.Function<String, AppState> apps, String cause, Instant now) {
        List<AppRoutes> recorded = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> released = decide(app, cause, now, recorded, removed);
        handOn(released, apps, cause, now, recorded, removed);
        return recorded.isEmpty() && removed.isEmpty() ? Decided.NOTHING : new Decided(recorded, removed);
    }

    /** The app is gone: its keys go to the apps that were refused them, first in id order. */
    Decided removed(String appId, java.util.function.Function<String, AppState> apps, String cause, Instant now) {
        AppRoutes last = byApp.get(appId);
        if (last == null) {
            return Decided.NOTHING;
        }
        List<String> released = release(appId);
        byApp.remove(appId);
        List<AppRoutes> recorded = new ArrayList<>();
        List<String> removed = new ArrayList<>(List.of(appId));
        handOn(released, apps, cause, now, recorded, removed);
        return new Decided(recorded, removed);
    }

    /** Decides one app's claims; answers the keys it let go. */
    private List<String> decide(AppState app, String cause, Instant now, List<AppRoutes> recorded, List<String> removed) {
        String appId = app.appId();
        RouteLabels.Read read = RouteLabels.read(app.definition().labels(), app.definition().hostPorts().size());
        List<String> held = release(appId);
        List<RouteState> routes = new ArrayList<>();
        for (RouteClaim claim : read.claims()) {
            routes.add(decide(appId, claim));
        }
        AppRoutes before = byApp.get(appId);
        if (routes.isEmpty()) {
            if (before != null) {
                byApp.remove(appId);
                removed.add(appId);
            }
        } else if (before == null || !before.routes().equals(routes) || before.drainSeconds() != read.drainSeconds()) {
            AppRoutes after = new AppRoutes(Ids.newId(), Message.SCHEMA_VERSION, now, cause, appId, routes, read.drainSeconds());
            byApp.put(appId, after);
            recorded.add(after);
        }
        held.removeIf(key -> appId.equals(owners.get(key)));
        return held;
    }

    private RouteState decide(String appId, RouteClaim claim) {
        String team = AppIds.team(appId);
        if (claim.path() != null && !team.isEmpty() && !claim.path().equals("/" + team)
                && !claim.path().startsWith("/" + team + "/")) {
            return RouteState.refused(claim, "the path " + claim.path() + " is outside team " + team
                    + "'s prefix /" + team + "/: an app of " + team + " may be routed only below it");
        }
        for (String key : claim.keys()) {
            String owner = owners.get(key);
            if (owner != null && !owner.equals(appId)) {
                return RouteState.refused(claim, "the " + key + " is routed to " + owner
                        + ": one path or host goes to one app only");
            }
        }
        claim.keys().forEach(key -> owners.put(key, appId));
        return RouteState.active(claim);
    }

    /** Lets go every key the app owns; answers them. */
    private List<String> release(String appId) {
        List<String> held = new ArrayList<>();
        owners.forEach((key, owner) -> {
            if (owner.equals(appId)) {
                held.add(key);
            }
        });
        held.forEach(owners::remove);
        return held;
    }

    /** The apps refused one of {@code released} are decided again, in id order: the first gets it. */
    private void handOn(List<String> released, java.util.function.Function<String, AppState> apps, String cause,
                        Instant now, List<AppRoutes> recorded, List<String> removed) {
        if (released.isEmpty()) {
            return;
        }
        Map<String, AppRoutes> waiting = new TreeMap<>();
        byApp.forEach((appId, routes) -> {
            boolean wants = routes.routes().stream().anyMatch(route -> !route.active()
                    && route.claim().keys().stream().anyMatch(released::contains));
            if (wants) {
                waiting.put(appId, routes);
            }
        });
        for (String appId : waiting.keySet()) {
            AppState app = apps.apply(appId);
            if (app != null) {
                // Its own claims are unchanged, so it lets go of nothing: deciding it again only takes keys.
                decide(app, cause, now, recorded, removed);
            }
        }
    }
}
