package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.contracts.app.Constraint.Operator.MAX_PER;
import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MaxPerConstraintTest {
    private final NodeFilter filter = ConstraintFilter.INSTANCE;

    @Test
    void acceptsAValueBelowTheMaximum() {
        // Given rack r1 holds one instance
        Cluster cluster = clusterOf(node("n1").attribute("rack", "r1"), node("n2").attribute("rack", "r1"));
        cluster.allocate(allocation("t1", "/app", "n1", 0.1, 0));

        // When
        String reason = verdict(filter, task("t2", "/app").constraint("rack", MAX_PER, "2").build(), cluster, "n2");

        // Then
        assertNull(reason);
    }

    @Test
    void rejectsAValueAtTheMaximumOnEveryNodeWithIt() {
        // Given rack r1 holds two instances
        Cluster cluster = clusterOf(node("n1").attribute("rack", "r1"), node("n2").attribute("rack", "r1"));
        cluster.allocate(allocation("t1", "/app", "n1", 0.1, 0));
        cluster.allocate(allocation("t2", "/app", "n1", 0.1, 0));

        // When
        String reason = verdict(filter, task("t3", "/app").constraint("rack", MAX_PER, "2").build(), cluster, "n2");

        // Then
        assertEquals("constraint rack MAX_PER 2", reason);
    }

    @Test
    void allowsTheValueAgainOnceAnInstanceIsReleased() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("rack", "r1"));
        cluster.allocate(allocation("t1", "/app", "n1", 0.1, 0));
        var maxOne = task("t2", "/app").constraint("rack", MAX_PER, "1").build();
        assertEquals("constraint rack MAX_PER 1", verdict(filter, maxOne, cluster, "n1"));

        // When
        cluster.release("t1");

        // Then
        assertNull(verdict(filter, maxOne, cluster, "n1"));
    }

    @Test
    void rejectsANodeLackingTheAttribute() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        String reason = verdict(filter, task("t1", "/app").constraint("rack", MAX_PER, "3").build(), cluster, "n1");

        // Then
        assertEquals("constraint rack MAX_PER 3", reason);
    }
}
