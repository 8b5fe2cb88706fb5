package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.messages.PortAssignment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PortsFilterTest {
    private final NodeFilter filter = PortsFilter.INSTANCE;

    @Test
    void rejectsAFixedPortAnotherTaskHolds() {
        // Given
        Cluster cluster = clusterOf(node("n1").ports(31000, 31009));
        cluster.allocate(allocation("other", "/other", "n1", 0, 0, 31005));

        // When
        String reason = verdict(filter, task("t1", "/app").port(31005).build(), cluster, "n1");

        // Then
        assertEquals("host port 31005 unavailable", reason);
    }

    @Test
    void rejectsAFixedPortOutsideTheNodesRange() {
        // Given
        Cluster cluster = clusterOf(node("n1").ports(31000, 31009));

        // When
        String reason = verdict(filter, task("t1", "/app").port(8080).build(), cluster, "n1");

        // Then
        assertEquals("host port 8080 unavailable", reason);
    }

    @Test
    void rejectsMoreDynamicPortsThanTheRangeHasFree() {
        // Given
        Cluster cluster = clusterOf(node("n1").ports(31000, 31002));
        cluster.allocate(allocation("other", "/other", "n1", 0, 0, 31000, 31001));

        // When
        String reason = verdict(filter, task("t1", "/app").port(0).port(0).build(), cluster, "n1");

        // Then
        assertEquals("insufficient ports", reason);
    }

    @Test
    void countsTheTasksOwnFixedPortsAgainstItsDynamicOnes() {
        // Given a range of two ports
        Cluster cluster = clusterOf(node("n1").ports(31000, 31001));

        // When the task wants one of them fixed and two more dynamic
        String reason = verdict(filter, task("t1", "/app").port(31000).port(0).port(0).build(), cluster, "n1");

        // Then
        assertEquals("insufficient ports", reason);
    }

    @Test
    void acceptsDynamicPortsThatFitTheFreePartOfTheRange() {
        // Given
        Cluster cluster = clusterOf(node("n1").ports(31000, 31002));
        cluster.allocate(allocation("other", "/other", "n1", 0, 0, 31001));

        // When
        String reason = verdict(filter, task("t1", "/app").port(0).port(0).build(), cluster, "n1");

        // Then
        assertNull(reason);
    }

    @Test
    void assignsDynamicPortsLowestFreeFirstSkippingTheTasksFixedPorts() {
        // Given
        Cluster cluster = clusterOf(node("n1").ports(31000, 31009));
        cluster.allocate(allocation("other", "/other", "n1", 0, 0, 31000, 31002));
        TaskContext task = TaskContext.of(task("t1", "/app").port(0).port(31001).port(0).build(),
                PlacementStrategy.BINPACK, cluster);

        // When
        List<PortAssignment> ports = PortsFilter.assign(task, (NodeState) cluster.view("n1").orElseThrow());

        // Then
        assertEquals(List.of(new PortAssignment("p0", 31003), new PortAssignment("p1", 31001),
                new PortAssignment("p2", 31004)), ports);
    }

    @Test
    void seesPortsAgainAfterTheNodesRangeMoves() {
        // Given a port held in the old range
        Cluster cluster = clusterOf(node("n1").ports(31000, 31001));
        cluster.allocate(allocation("other", "/other", "n1", 0, 0, 31001));

        // When the node reports a range that still contains it
        cluster.putNode(node("n1").ports(31001, 31001).build());

        // Then the port still counts as held
        assertEquals("insufficient ports", verdict(filter, task("t1", "/app").port(0).build(), cluster, "n1"));
    }
}
