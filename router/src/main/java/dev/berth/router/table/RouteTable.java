package dev.berth.router.table;

import dev.berth.contracts.messages.AppRoutes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.routing.RouteClaim;
import dev.berth.contracts.routing.RouteState;
import dev.berth.router.haproxy.Haproxy;
import dev.berth.router.haproxy.HaproxyRoute;
import dev.berth.router.haproxy.HaproxyServer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * What HAProxy should serve, made from what Berth's topics say: one backend per ACTIVE route, whose
 * servers are the app's tasks that serve — HEALTHY, or RUNNING for an app without health checks —
 * on the route's port. A task the scheduler wants stopped, or that is being killed, stays in as
 * draining: it gets no new request, and the ones it has may finish. Pure (no Kafka, no HAProxy), so
 * every router given the same records makes the same table.
 */
public final class RouteTable {
    private RouteTable() {
    }

    public static List<HaproxyRoute> of(Collection<AppRoutes> decided, Function<String, AppState> apps,
                                        Function<String, List<TaskRecord>> tasks) {
        List<HaproxyRoute> routes = new ArrayList<>();
        for (AppRoutes app : decided.stream().sorted(Comparator.comparing(AppRoutes::appId)).toList()) {
            AppState state = apps.apply(app.appId());
            if (state == null) {
                continue;
            }
            boolean checked = !state.definition().healthChecks().isEmpty();
            for (RouteState route : app.routes()) {
                if (route.active()) {
                    RouteClaim claim = route.claim();
                    routes.add(new HaproxyRoute(Haproxy.backendName(app.appId(), claim.portIndex()), claim.path(),
                            claim.vhost(), claim.stripPath(), claim.affinity(), claim.affinityHeader(),
                            servers(tasks.apply(app.appId()), claim.portIndex(), checked)));
                }
            }
        }
        return routes;
    }

    private static List<HaproxyServer> servers(List<TaskRecord> tasks, int portIndex, boolean checked) {
        List<HaproxyServer> servers = new ArrayList<>();
        for (TaskRecord task : tasks) {
            if (task.host() == null || task.ports().size() <= portIndex) {
                continue;
            }
            boolean serving = checked ? task.state() == TaskState.HEALTHY
                    : task.state() == TaskState.RUNNING || task.state() == TaskState.HEALTHY;
            boolean stopping = task.desired() == DesiredState.STOP || task.state() == TaskState.KILLING;
            if (serving || (stopping && task.state().isActive())) {
                servers.add(new HaproxyServer(task.taskId(), task.host(), task.ports().get(portIndex).port(),
                        stopping));
            }
        }
        servers.sort(Comparator.comparing(HaproxyServer::key));
        return servers;
    }
}
