package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.AppRoutes;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.UpdateApp;
import dev.berth.contracts.routing.RouteAffinity;
import dev.berth.contracts.routing.RouteState;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who owns which path and host: decided by the scheduler, first come, written beside the app's state. */
class RoutesTest {
    private final Instant t0 = Instant.parse("2026-12-07T09:00:00Z");
    private final SchedulerCore core = new SchedulerCore(SchedulerSettings.defaults(), new PlacementEngine(PlacementStrategy.SPREAD));

    private static AppDefinition app(String id, Map<String, String> labels) {
        return AppDefinition.basic(id, "sleep 100", null, 0, 0.1, 16, 0, Map.of(), labels,
                List.of(new PortDefinition(0, "http", "tcp", Map.of())));
    }

    private static Optional<AppRoutes> written(List<Action> actions, String appId) {
        return actions.stream().filter(a -> a instanceof Action.RecordRoutes r && r.routes().appId().equals(appId))
                .map(a -> ((Action.RecordRoutes) a).routes()).reduce((first, last) -> last);
    }

    private static boolean removed(List<Action> actions, String appId) {
        return actions.stream().anyMatch(a -> a instanceof Action.RemoveRoutes r && r.appId().equals(appId));
    }

    @Test
    void anAppsLabelsBecomeItsRoutesWrittenWithItsState() {
        List<Action> actions = core.onAppCommand(CreateApp.of(app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web",
                "BERTH_ROUTE_0_AFFINITY", "session", "BERTH_ROUTE_DRAIN_SECONDS", "2"))), t0);

        AppRoutes routes = written(actions, "/team-a/web").orElseThrow();
        assertEquals(1, routes.routes().size());
        RouteState route = routes.routes().get(0);
        assertTrue(route.active());
        assertEquals("/team-a/web", route.claim().path());
        assertEquals(RouteAffinity.SESSION, route.claim().affinity());
        assertEquals(2, routes.drainSeconds());
        int state = actions.indexOf(actions.stream().filter(a -> a instanceof Action.RecordApp).findFirst().orElseThrow());
        assertTrue(state < actions.indexOf(actions.stream().filter(a -> a instanceof Action.RecordRoutes).findFirst().orElseThrow()),
                "the routes follow the state they come from, in the same input");
    }

    @Test
    void aSecondAppClaimingAnOwnedPathIsRefusedWithTheOwnerNamed() {
        core.onAppCommand(CreateApp.of(app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(app("/team-a/copy", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);

        RouteState route = written(actions, "/team-a/copy").orElseThrow().routes().get(0);
        assertFalse(route.active());
        assertTrue(route.reason().contains("routed to /team-a/web"), route.reason());
    }

    @Test
    void aPathOutsideTheAppsTeamIsRefused() {
        List<Action> actions = core.onAppCommand(CreateApp.of(app("/team-b/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);

        RouteState route = written(actions, "/team-b/web").orElseThrow().routes().get(0);
        assertFalse(route.active());
        assertTrue(route.reason().contains("outside team team-b's prefix /team-b/"), route.reason());
    }

    @Test
    void aHostIsOwnedLikeAPath() {
        core.onAppCommand(CreateApp.of(app("/team-a/web", Map.of("HAPROXY_0_VHOST", "web.example.com"))), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(app("/team-b/web", Map.of("BERTH_ROUTE_0_VHOST", "WEB.example.com"))), t0);

        assertFalse(written(actions, "/team-b/web").orElseThrow().routes().get(0).active());
    }

    @Test
    void aPathLetGoGoesToTheFirstAppThatWasRefusedIt() {
        core.onAppCommand(CreateApp.of(app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web2", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/web1", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);

        List<Action> actions = core.onAppCommand(UpdateApp.of(app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/www")), null), t0);

        assertTrue(written(actions, "/team-a/web").orElseThrow().routes().get(0).active(), "its new path is its own");
        assertTrue(written(actions, "/team-a/web1").orElseThrow().routes().get(0).active(), "first in id order gets it");
        RouteState second = written(actions, "/team-a/web2").orElseThrow().routes().get(0);
        assertFalse(second.active(), "still refused");
        assertTrue(second.reason().contains("routed to /team-a/web1"), "naming its new owner: " + second.reason());
    }

    @Test
    void aDeletedAppsPathGoesToTheAppRefusedIt() {
        core.onAppCommand(CreateApp.of(app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);
        core.onAppCommand(CreateApp.of(app("/team-a/copy", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);

        List<Action> actions = core.onAppCommand(DeleteApp.of("/team-a/web"), t0);

        assertTrue(removed(actions, "/team-a/web"), "an app with no tasks goes at once, and its routes with it");
        assertTrue(written(actions, "/team-a/copy").orElseThrow().routes().get(0).active());
    }

    @Test
    void aChangeThatKeepsTheRoutesWritesNoneAndLabelsTakenAwayRemoveThem() {
        AppDefinition web = app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"));
        core.onAppCommand(CreateApp.of(web), t0);

        assertTrue(written(core.onAppCommand(UpdateApp.of(web.withInstances(1), null), t0), "/team-a/web").isEmpty());
        assertTrue(removed(core.onAppCommand(UpdateApp.of(app("/team-a/web", Map.of()), null), t0), "/team-a/web"));
    }

    @Test
    void aNewLeaderKeepsTheOwnersItsPredecessorChose() {
        AppRoutes owner = written(core.onAppCommand(CreateApp.of(app("/team-a/web", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0),
                "/team-a/web").orElseThrow();
        SchedulerCore second = new SchedulerCore(SchedulerSettings.defaults(), new PlacementEngine(PlacementStrategy.SPREAD));
        second.restore().app(core.app("/team-a/web").orElseThrow());
        second.restore().routes(owner);

        List<Action> actions = second.onAppCommand(CreateApp.of(app("/team-a/other", Map.of("BERTH_ROUTE_0_PATH", "/team-a/web"))), t0);

        assertFalse(written(actions, "/team-a/other").orElseThrow().routes().get(0).active());
    }
}
