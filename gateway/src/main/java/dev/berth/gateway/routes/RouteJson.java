package dev.berth.gateway.routes;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.messages.AppRoutes;
import dev.berth.contracts.routing.RouteAffinity;
import dev.berth.contracts.routing.RouteState;

import java.util.List;

/**
 * One route as the API shows it, on its app ({@code routes[]}) and in {@code GET /v1/routes}: what its
 * labels claim, and whether the routers serve it ({@code ACTIVE}) or why not ({@code REFUSED}, with
 * the reason), as the scheduler decided on {@code berth.routes}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteJson(String appId, int portIndex, String path, String vhost, boolean stripPath, RouteAffinity affinity,
                        String affinityHeader, RouteState.Status state, String reason, int drainSeconds) {
    public static List<RouteJson> of(AppRoutes routes) {
        return routes.routes().stream().map(route -> new RouteJson(routes.appId(), route.claim().portIndex(),
                route.claim().path(), route.claim().vhost(), route.claim().stripPath(), route.claim().affinity(),
                route.claim().affinityHeader(), route.state(), route.reason(), routes.drainSeconds())).toList();
    }
}
