package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.score;
import static dev.berth.scheduler.placement.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AffinityScorerTest {
    private final NodeScorer scorer = AffinityScorer.INSTANCE;

    @Test
    void sumsTheWeightsOfTheMatchingEntriesOverAHundred() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("zone", "a").attribute("disk", "ssd"));
        var prefers = task("t1", "/app").affinity("zone", "a", 30).affinity("disk", "ssd", 20)
                .affinity("zone", "b", 90).build();

        // When
        double score = score(scorer, prefers, cluster, "n1");

        // Then
        assertEquals(0.5, score, 1e-9);
    }

    @Test
    void givesANegativeScoreToANodeTheTaskAvoids() {
        // Given
        Cluster cluster = clusterOf(node("n1").hostname("noisy"));

        // When
        double score = score(scorer, task("t1", "/app").affinity("hostname", "noisy", -40).build(), cluster, "n1");

        // Then
        assertEquals(-0.4, score, 1e-9);
    }

    @Test
    void clampsTheSumToOne() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("zone", "a").attribute("rack", "r1"));

        // When
        double score = score(scorer, task("t1", "/app").affinity("zone", "a", 100).affinity("rack", "r1", 100).build(),
                cluster, "n1");

        // Then
        assertEquals(1.0, score, 1e-9);
    }
}
