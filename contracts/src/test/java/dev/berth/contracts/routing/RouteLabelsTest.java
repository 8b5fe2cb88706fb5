package dev.berth.contracts.routing;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteLabelsTest {
    @Test
    void berthsLabelsMakeARoutePerPortIndex() {
        RouteLabels.Read read = RouteLabels.read(Map.of("BERTH_ROUTE_0_PATH", "/team-a/web", "BERTH_ROUTE_0_STRIP", "false",
                "BERTH_ROUTE_1_VHOST", "Admin.Example.com", "BERTH_ROUTE_1_AFFINITY", "server",
                "BERTH_ROUTE_1_AFFINITY_HEADER", "X-Tenant", "owner", "otto"), 2);

        assertEquals(List.of(), read.errors());
        assertEquals(List.of(new RouteClaim(0, "/team-a/web", null, false, RouteAffinity.NONE, null),
                new RouteClaim(1, null, "admin.example.com", true, RouteAffinity.SERVER, "X-Tenant")), read.claims());
        assertEquals(RouteLabels.DEFAULT_DRAIN_SECONDS, read.drainSeconds());
    }

    @Test
    void transactionAffinityReadsTheTransactionHeaderUnlessNamed() {
        RouteLabels.Read read = RouteLabels.read(Map.of("BERTH_ROUTE_0_PATH", "/a", "BERTH_ROUTE_0_AFFINITY", "Transaction"), 1);

        assertEquals("X-Transaction-Id", read.claims().get(0).affinityHeader());
    }

    @Test
    void marathonLbsLabelsAreAliasesAndBerthsOwnWin() {
        RouteLabels.Read read = RouteLabels.read(Map.of("HAPROXY_0_PATH", "/old", "BERTH_ROUTE_0_PATH", "/new",
                "HAPROXY_0_VHOST", "web.example.com", "HAPROXY_0_STICKY", "true", "HAPROXY_0_BACKEND_WEIGHT", "3",
                "HAPROXY_GROUP", "external"), 1);

        assertEquals(List.of(), read.errors());
        assertEquals(new RouteClaim(0, "/new", "web.example.com", true, RouteAffinity.SESSION, null), read.claims().get(0));
    }

    @Test
    void eachBadLabelIsNamedWithWhy() {
        RouteLabels.Read read = RouteLabels.read(Map.of("BERTH_ROUTE_0_PATH", "no-slash", "BERTH_ROUTE_0_AFFINITY", "sticky",
                "BERTH_ROUTE_2_VHOST", "a..b", "BERTH_ROUTE_DRAIN_SECONDS", "soon", "BERTH_ROUTE_1_AFFINITY", "session",
                "BERTH_ROUTE_3_PATH", "/x", "BERTH_ROUTE_3_AFFINITY_HEADER", "X-A"), 5);

        List<String> fields = read.errors().stream().map(e -> e.field()).sorted().toList();
        assertEquals(List.of("labels.BERTH_ROUTE_0_AFFINITY", "labels.BERTH_ROUTE_0_PATH", "labels.BERTH_ROUTE_1_PATH",
                "labels.BERTH_ROUTE_2_VHOST", "labels.BERTH_ROUTE_3_AFFINITY_HEADER", "labels.BERTH_ROUTE_DRAIN_SECONDS"), fields);
        assertTrue(read.claims().isEmpty(), "a route with a bad label is not made at all");
    }

    @Test
    void aRouteNeedsAPortOfThatIndex() {
        RouteLabels.Read read = RouteLabels.read(Map.of("BERTH_ROUTE_1_PATH", "/a"), 1);

        assertEquals("the app has no port with index 1 (it declares 1)", read.errors().get(0).message());
    }

    @Test
    void aPathMayNotClimbOut() {
        assertEquals(1, RouteLabels.read(Map.of("BERTH_ROUTE_0_PATH", "/team-a/../team-b"), 1).errors().size());
        assertEquals(1, RouteLabels.read(Map.of("BERTH_ROUTE_0_PATH", "/team-a//x"), 1).errors().size());
    }
}
