package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.contracts.app.Constraint.Operator.UNIQUE;
import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class UniqueConstraintTest {
    private final NodeFilter filter = ConstraintFilter.INSTANCE;

    @Test
    void rejectsAHostAlreadyRunningAnInstanceOfTheApp() {
        // Given
        Cluster cluster = clusterOf(node("n1"), node("n2"));
        cluster.allocate(allocation("a1", "/app", "n1", 1, 0));

        // When
        String reason = verdict(filter, task("a2", "/app").constraint("hostname", UNIQUE).build(), cluster, "n1");

        // Then
        assertEquals("constraint hostname UNIQUE", reason);
    }

    @Test
    void ignoresInstancesOfOtherApps() {
        // Given
        Cluster cluster = clusterOf(node("n1"));
        cluster.allocate(allocation("b1", "/other", "n1", 1, 0));

        // When
        String reason = verdict(filter, task("a1", "/app").constraint("hostname", UNIQUE).build(), cluster, "n1");

        // Then
        assertNull(reason);
    }

    @Test
    void rejectsAnyNodeSharingTheAttributeValueOfAnInstance() {
        // Given two nodes in rack r1, one running the app
        Cluster cluster = clusterOf(node("n1").attribute("rack", "r1"), node("n2").attribute("rack", "r1"),
                node("n3").attribute("rack", "r2"));
        cluster.allocate(allocation("a1", "/app", "n1", 1, 0));
        var unique = task("a2", "/app").constraint("rack", UNIQUE).build();

        // When / Then
        assertEquals("constraint rack UNIQUE", verdict(filter, unique, cluster, "n2"));
        assertNull(verdict(filter, unique, cluster, "n3"));
    }

    @Test
    void rejectsANodeLackingTheAttribute() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        String reason = verdict(filter, task("a1", "/app").constraint("rack", UNIQUE).build(), cluster, "n1");

        // Then
        assertEquals("constraint rack UNIQUE", reason);
    }
}
