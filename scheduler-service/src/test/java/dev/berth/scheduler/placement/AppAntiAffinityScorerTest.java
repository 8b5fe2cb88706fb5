package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.score;
import static dev.berth.scheduler.placement.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AppAntiAffinityScorerTest {
    private final NodeScorer scorer = AppAntiAffinityScorer.INSTANCE;

    @Test
    void scoresANodeWithoutTheAppZero() {
        // Given
        Cluster cluster = clusterOf(node("n1"), node("n2"));
        cluster.allocate(allocation("a1", "/app", "n1", 0.1, 0));

        // When
        double score = score(scorer, task("a2", "/app").build(), cluster, "n2");

        // Then
        assertEquals(0.0, score, 1e-9);
    }

    @Test
    void scoresMinusTheShareOfTheAppsInstancesOnTheNode() {
        // Given 3 of the app's 4 instances on n1
        Cluster cluster = clusterOf(node("n1"), node("n2"));
        cluster.allocate(allocation("a1", "/app", "n1", 0.1, 0));
        cluster.allocate(allocation("a2", "/app", "n1", 0.1, 0));
        cluster.allocate(allocation("a3", "/app", "n1", 0.1, 0));
        cluster.allocate(allocation("a4", "/app", "n2", 0.1, 0));

        // When
        double score = score(scorer, task("a5", "/app").build(), cluster, "n1");

        // Then
        assertEquals(-0.75, score, 1e-9);
    }

    @Test
    void ignoresOtherAppsOnTheNode() {
        // Given
        Cluster cluster = clusterOf(node("n1"));
        cluster.allocate(allocation("b1", "/other", "n1", 0.1, 0));

        // When
        double score = score(scorer, task("a1", "/app").build(), cluster, "n1");

        // Then
        assertEquals(0.0, score, 1e-9);
    }
}
