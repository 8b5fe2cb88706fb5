package dev.berth.contracts.routing;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One route of an app as the scheduler decided it: {@code ACTIVE} (the router serves it) or
 * {@code REFUSED} with the reason (another app owns the path or host, or the path lies outside the
 * app's team). Shown on the app ({@code routes[]}) and by {@code GET /v1/routes}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteState(RouteClaim claim, Status state, String reason) {
    /** Whether the router serves the route. */
    public enum Status { ACTIVE, REFUSED }

    public static RouteState active(RouteClaim claim) {
        return new RouteState(claim, Status.ACTIVE, null);
    }

    public static RouteState refused(RouteClaim claim, String reason) {
        return new RouteState(claim, Status.REFUSED, reason);
    }

    public boolean active() {
        return state == Status.ACTIVE;
    }
}
