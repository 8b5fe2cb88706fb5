package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.contracts.app.Constraint.Operator.CLUSTER;
import static dev.berth.contracts.app.Constraint.Operator.IS;
import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ClusterAndIsConstraintTest {
    private final NodeFilter filter = ConstraintFilter.INSTANCE;

    @Test
    void clusterAcceptsOnlyNodesWhoseFieldEqualsTheValue() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("zone", "a"), node("n2").attribute("zone", "b"));
        var clustered = task("t1", "/app").constraint("zone", CLUSTER, "a").build();

        // When / Then
        assertNull(verdict(filter, clustered, cluster, "n1"));
        assertEquals("constraint zone CLUSTER a", verdict(filter, clustered, cluster, "n2"));
    }

    @Test
    void isAcceptsOnlyNodesWhoseFieldEqualsTheValue() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("gpu", "true"), node("n2").attribute("gpu", "false"));
        var onGpu = task("t1", "/app").constraint("gpu", IS, "true").build();

        // When / Then
        assertNull(verdict(filter, onGpu, cluster, "n1"));
        assertEquals("constraint gpu IS true", verdict(filter, onGpu, cluster, "n2"));
    }

    @Test
    void isMatchesTheHostname() {
        // Given
        Cluster cluster = clusterOf(node("n1").hostname("db-1"), node("n2").hostname("db-2"));
        var pinned = task("t1", "/app").constraint("hostname", IS, "db-2").build();

        // When / Then
        assertEquals("constraint hostname IS db-2", verdict(filter, pinned, cluster, "n1"));
        assertNull(verdict(filter, pinned, cluster, "n2"));
    }

    @Test
    void clusterWithoutAValueFollowsTheFirstInstance() {
        // Given the app's first instance runs in zone b
        Cluster cluster = clusterOf(node("n1").attribute("zone", "a"), node("n2").attribute("zone", "b"),
                node("n3").attribute("zone", "b"));
        cluster.allocate(allocation("t0", "/app", "n2", 1, 0));
        var together = task("t1", "/app").constraint("zone", CLUSTER).build();

        // When / Then
        assertEquals("constraint zone CLUSTER", verdict(filter, together, cluster, "n1"));
        assertNull(verdict(filter, together, cluster, "n3"));
    }

    @Test
    void clusterWithoutAValueAcceptsAnyValueForTheFirstInstance() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("zone", "a"));

        // When
        String reason = verdict(filter, task("t1", "/app").constraint("zone", CLUSTER).build(), cluster, "n1");

        // Then
        assertNull(reason);
    }

    @Test
    void rejectsANodeLackingTheAttribute() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        String reason = verdict(filter, task("t1", "/app").constraint("zone", IS, "a").build(), cluster, "n1");

        // Then
        assertEquals("constraint zone IS a", reason);
    }
}
