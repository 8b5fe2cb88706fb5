package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PlacementStrategy;
import org.junit.jupiter.api.Test;

import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.score;
import static dev.berth.scheduler.placement.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StrategyScorerTest {
    private final NodeScorer scorer = StrategyScorer.INSTANCE;

    @Test
    void binpackScoresTheMeanOfCpuAndMemUtilisationAfterPlacement() {
        // Given a node with 4 cpus and 4096 mem, 1 cpu and 1024 mem in use
        Cluster cluster = clusterOf(node("n1").cpus(4).mem(4096));
        cluster.allocate(allocation("other", "/other", "n1", 1, 1024));

        // When a task of 1 cpu and 3072 mem is scored
        double score = score(scorer, task("t1", "/app").cpus(1).mem(3072).strategy(PlacementStrategy.BINPACK).build(),
                cluster, "n1");

        // Then cpu would be 2/4 and mem 4096/4 used
        assertEquals((0.5 + 1.0) / 2, score, 1e-9);
    }

    @Test
    void binpackPrefersTheFullerNode() {
        // Given
        Cluster cluster = clusterOf(node("full"), node("empty"));
        cluster.allocate(allocation("other", "/other", "full", 2, 2048));
        var binpack = task("t1", "/app").strategy(PlacementStrategy.BINPACK).build();

        // When / Then
        assertTrue(score(scorer, binpack, cluster, "full") > score(scorer, binpack, cluster, "empty"));
    }

    @Test
    void spreadPrefersTheEmptierNode() {
        // Given
        Cluster cluster = clusterOf(node("full"), node("empty"));
        cluster.allocate(allocation("other", "/other", "full", 2, 2048));
        var spread = task("t1", "/app").strategy(PlacementStrategy.SPREAD).build();

        // When / Then
        assertTrue(score(scorer, spread, cluster, "empty") > score(scorer, spread, cluster, "full"));
    }

    @Test
    void spreadIsOneMinusBinpack() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(8).mem(8192));
        cluster.allocate(allocation("other", "/other", "n1", 3, 1000));

        // When
        double binpack = score(scorer, task("t1", "/app").strategy(PlacementStrategy.BINPACK).build(), cluster, "n1");
        double spread = score(scorer, task("t1", "/app").strategy(PlacementStrategy.SPREAD).build(), cluster, "n1");

        // Then
        assertEquals(1.0, binpack + spread, 1e-9);
    }
}
