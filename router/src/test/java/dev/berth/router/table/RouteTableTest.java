package dev.berth.router.table;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.AppRoutes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.routing.RouteAffinity;
import dev.berth.contracts.routing.RouteClaim;
import dev.berth.contracts.routing.RouteState;
import dev.berth.router.haproxy.HaproxyRoute;
import dev.berth.router.haproxy.HaproxyServer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RouteTableTest {
    private static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");
    private static final RouteClaim WEB = new RouteClaim(1, "/team-a/web", null, true, RouteAffinity.SESSION, null);

    private static AppState app(String id, List<HealthCheck> checks) {
        AppDefinition definition = AppDefinition.basic(id, "run", null, 2, 0.1, 16, 0, Map.of(), Map.of(),
                List.of(new PortDefinition(0, "admin", "tcp", Map.of()), new PortDefinition(0, "http", "tcp", Map.of())));
        return AppState.of(checks.isEmpty() ? definition : definition.withHealthChecks(checks), 1, false, null);
    }

    private static TaskRecord task(String id, String appId, TaskState state, DesiredState desired) {
        return new TaskRecord("r-" + id, 1, T0, null, id, appId, 1, 0, "node-1", "10.0.0.7",
                List.of(new PortAssignment("admin", 31000), new PortAssignment("http", 31001)), desired, state, null, null,
                T0, T0, null);
    }

    private static AppRoutes routes(String appId, RouteState... states) {
        return new AppRoutes("x", 1, T0, null, appId, List.of(states), 5);
    }

    @Test
    void anActiveRouteIsABackendOfTheServingTasksOnItsPort() {
        AppState web = app("/team-a/web", List.of());
        List<TaskRecord> tasks = List.of(task("b", "/team-a/web", TaskState.RUNNING, DesiredState.RUN),
                task("a", "/team-a/web", TaskState.HEALTHY, DesiredState.RUN),
                task("c", "/team-a/web", TaskState.STARTING, DesiredState.RUN),
                task("d", "/team-a/web", TaskState.RUNNING, DesiredState.STOP));

        List<HaproxyRoute> table = RouteTable.of(List.of(routes("/team-a/web", RouteState.active(WEB))), id -> web, id -> tasks);

        assertEquals(List.of(new HaproxyRoute("team_a_web_1", "/team-a/web", null, true, RouteAffinity.SESSION, null,
                List.of(new HaproxyServer("a", "10.0.0.7", 31001, false), new HaproxyServer("b", "10.0.0.7", 31001, false),
                        new HaproxyServer("d", "10.0.0.7", 31001, true)))), table);
    }

    @Test
    void anAppWithHealthChecksIsServedByItsHealthyTasksOnly() {
        AppState web = app("/team-a/web", List.of(new HealthCheck(HealthCheck.Protocol.TCP, null, 1, null, null, 300, 60, 20, 3, 15)));
        List<TaskRecord> tasks = List.of(task("a", "/team-a/web", TaskState.RUNNING, DesiredState.RUN),
                task("b", "/team-a/web", TaskState.HEALTHY, DesiredState.RUN),
                task("c", "/team-a/web", TaskState.UNHEALTHY, DesiredState.RUN));

        List<HaproxyRoute> table = RouteTable.of(List.of(routes("/team-a/web", RouteState.active(WEB))), id -> web, id -> tasks);

        assertEquals(List.of("b"), table.get(0).servers().stream().map(HaproxyServer::key).toList());
    }

    @Test
    void aRefusedRouteOrOneOfAnUnknownAppIsNotServed() {
        AppState web = app("/team-a/web", List.of());

        assertEquals(List.of(), RouteTable.of(List.of(routes("/team-a/web", RouteState.refused(WEB, "taken"))),
                id -> web, id -> List.of()));
        assertEquals(List.of(), RouteTable.of(List.of(routes("/team-a/gone", RouteState.active(WEB))), id -> null,
                id -> List.of()));
    }
}
