package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.contracts.app.Constraint.Operator.GROUP_BY;
import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class GroupByConstraintTest {
    private final NodeFilter filter = ConstraintFilter.INSTANCE;

    private static Cluster threeZones() {
        return clusterOf(node("a1").attribute("zone", "a"), node("b1").attribute("zone", "b"),
                node("c1").attribute("zone", "c"));
    }

    @Test
    void rejectsAValueHoldingMoreInstancesThanTheLeastUsedOne() {
        // Given zone a holds 2 instances, zone b holds 1
        Cluster cluster = threeZones();
        cluster.allocate(allocation("t1", "/app", "a1", 0.1, 0));
        cluster.allocate(allocation("t2", "/app", "a1", 0.1, 0));
        cluster.allocate(allocation("t3", "/app", "b1", 0.1, 0));
        var grouped = task("t4", "/app").constraint("zone", GROUP_BY).build();

        // When / Then
        assertEquals("constraint zone GROUP_BY", verdict(filter, grouped, cluster, "a1"));
        assertNull(verdict(filter, grouped, cluster, "b1"), "b holds the fewest");
        assertNull(verdict(filter, grouped, cluster, "c1"), "c holds none yet");
    }

    @Test
    void acceptsEveryValueWhenTheyHoldEqualCounts() {
        // Given
        Cluster cluster = threeZones();
        cluster.allocate(allocation("t1", "/app", "a1", 0.1, 0));
        cluster.allocate(allocation("t2", "/app", "b1", 0.1, 0));
        cluster.allocate(allocation("t3", "/app", "c1", 0.1, 0));
        var grouped = task("t4", "/app").constraint("zone", GROUP_BY).build();

        // When / Then
        assertNull(verdict(filter, grouped, cluster, "a1"));
        assertNull(verdict(filter, grouped, cluster, "b1"));
        assertNull(verdict(filter, grouped, cluster, "c1"));
    }

    @Test
    void withACountAcceptsOnlyUnusedValuesUntilThatManyAreInUse() {
        // Given zones a and b hold one instance each, and the app asks for 3 groups
        Cluster cluster = threeZones();
        cluster.allocate(allocation("t1", "/app", "a1", 0.1, 0));
        cluster.allocate(allocation("t2", "/app", "b1", 0.1, 0));
        var grouped = task("t3", "/app").constraint("zone", GROUP_BY, "3").build();

        // When / Then: a and b are as low as any used value, but only 2 of 3 values are in use
        assertEquals("constraint zone GROUP_BY 3", verdict(filter, grouped, cluster, "a1"));
        assertNull(verdict(filter, grouped, cluster, "c1"));
    }

    @Test
    void rejectsANodeLackingTheAttribute() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        String reason = verdict(filter, task("t1", "/app").constraint("zone", GROUP_BY).build(), cluster, "n1");

        // Then
        assertEquals("constraint zone GROUP_BY", reason);
    }

    @Test
    void recountsWhenANodeMovesToAnotherValue() {
        // Given zone a holds 2 instances on node a1, zone b holds 1
        Cluster cluster = threeZones();
        cluster.allocate(allocation("t1", "/app", "a1", 0.1, 0));
        cluster.allocate(allocation("t2", "/app", "a1", 0.1, 0));
        cluster.allocate(allocation("t3", "/app", "b1", 0.1, 0));
        var grouped = task("t4", "/app").constraint("zone", GROUP_BY).build();
        assertEquals("constraint zone GROUP_BY", verdict(filter, grouped, cluster, "a1"));

        // When node b1 is relabelled into zone a (so a holds 3, and no other value holds any)
        cluster.putNode(node("b1").attribute("zone", "a").build());

        // Then a is the only value in use, hence the least used
        assertNull(verdict(filter, grouped, cluster, "a1"));
    }
}
