package dev.berth.contracts.messages;

import dev.berth.contracts.routing.RouteState;

import java.time.Instant;
import java.util.List;

/**
 * The routes of one app as the scheduler decided them, on the compacted {@code berth.routes} keyed by
 * app id: each claim of its labels, served (ACTIVE) or refused with why. The scheduler is the one
 * arbiter of who owns a path or a host — it handles the apps' changes one after another, so the
 * first claimant keeps it and a later one is refused — and every router and the gateway read the
 * decision instead of making their own (which could differ between them). A tombstone once the app
 * is gone or claims nothing.
 *
 * @param drainSeconds how long a task's open requests may finish after the routers stop sending it
 *                     new ones, before it is sent its SIGTERM ({@code BERTH_ROUTE_DRAIN_SECONDS})
 */
public record AppRoutes(String id, int schemaVersion, Instant occurredAt, String correlationId, String appId,
                        List<RouteState> routes, int drainSeconds) implements Message {
    public AppRoutes {
        routes = routes == null ? List.of() : List.copyOf(routes);
    }

    /** Whether any of the routes is served. */
    public boolean anyActive() {
        return routes.stream().anyMatch(RouteState::active);
    }
}
