package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.contracts.app.Constraint.Operator.GROUP_BY;
import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.score;
import static dev.berth.scheduler.placement.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class GroupBySpreadScorerTest {
    private final NodeScorer scorer = GroupBySpreadScorer.INSTANCE;

    @Test
    void prefersAValueTheAppDoesNotUseYetOverTheLeastUsedOne() {
        // Given one instance in zone a, none in zone b
        Cluster cluster = clusterOf(node("a1").attribute("zone", "a"), node("a2").attribute("zone", "a"),
                node("b1").attribute("zone", "b"));
        cluster.allocate(allocation("t1", "/app", "a1", 0.1, 0));
        var grouped = task("t2", "/app").constraint("zone", GROUP_BY).build();

        // When
        double inUsedZone = score(scorer, grouped, cluster, "a2");
        double inNewZone = score(scorer, grouped, cluster, "b1");

        // Then
        assertEquals(-1.0, inUsedZone, 1e-9);
        assertEquals(0.0, inNewZone, 1e-9);
    }

    @Test
    void appliesOnlyToTasksWithAGroupByConstraint() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        boolean applies = scorer.appliesTo(TaskContext.of(task("t1", "/app").build(), null, cluster));

        // Then
        assertFalse(applies);
    }
}
