package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PlacementStrategy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.nodeOf;
import static dev.berth.scheduler.placement.Fixtures.reasonsOf;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Volume drivers a node must serve, and the node a local volume pins its task to. */
class VolumePlacementTest {
    private final PlacementEngine engine = new PlacementEngine(PlacementStrategy.SPREAD);

    @Test
    void aNodeLackingADriverTheTaskNeedsIsRejectedNamingTheDriver() {
        Cluster cluster = clusterOf(node("n1").volumeProviders("local"));

        String reason = verdict(VolumeProviderFilter.INSTANCE,
                task("t1", "/db").volumeProviders("local", "sharedfs").build(), cluster, "n1");

        assertEquals("no volume provider sharedfs", reason);
    }

    @Test
    void aTaskWithoutVolumesNeedsNoDriver() {
        Cluster cluster = clusterOf(node("n1"));

        assertNull(verdict(VolumeProviderFilter.INSTANCE, task("t1", "/web").build(), cluster, "n1"));
    }

    @Test
    void aTaskWhoseLocalVolumeLivesOnANodeGoesThereEvenWhenOthersAreEmptier() {
        Cluster cluster = clusterOf(node("n1").volumeProviders("local"), node("n2").volumeProviders("local"),
                node("n3").volumeProviders("local"));
        cluster.allocate(Fixtures.allocation("busy", "/other", "n2", 3, 1024));

        PlacementResult result = engine.place(List.of(task("t1", "/db").volumeProviders("local").pinnedTo("n2")
                .build()), cluster).get(0);

        assertEquals("n2", nodeOf(result));
    }

    @Test
    void aPinnedTaskThatDoesNotFitItsNodeSaysWhyAndThatTheOthersHoldNotItsVolume() {
        Cluster cluster = clusterOf(node("n1").volumeProviders("local").cpus(0.5), node("n2").volumeProviders("local"),
                node("n3").volumeProviders("local"));

        PlacementResult result = engine.place(List.of(task("t1", "/db").volumeProviders("local").pinnedTo("n1")
                .build()), cluster).get(0);

        assertEquals(Map.of("local volume on node n1", 2, "insufficient cpus", 1), reasonsOf(result));
    }
}
