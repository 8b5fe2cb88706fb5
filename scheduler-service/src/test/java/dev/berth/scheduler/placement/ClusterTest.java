package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeResources;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterTest {

    @Test
    void sumsTheAllocationsOfANode() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        cluster.allocate(allocation("t1", "/a", "n1", 1, 100));
        cluster.allocate(allocation("t2", "/b", "n1", 0.5, 50));

        // Then
        assertEquals(new NodeResources(1.5, 150, 0), cluster.allocated("n1"));
    }

    @Test
    void replacesAnAllocationOfTheSameTaskInsteadOfAddingIt() {
        // Given
        Cluster cluster = clusterOf(node("n1"), node("n2"));
        cluster.allocate(allocation("t1", "/a", "n1", 1, 100, 31000));

        // When
        cluster.allocate(allocation("t1", "/a", "n2", 2, 200));

        // Then
        assertEquals(NodeResources.NONE, cluster.allocated("n1"));
        assertEquals(new NodeResources(2, 200, 0), cluster.allocated("n2"));
        assertTrue(cluster.view("n1").orElseThrow().portFree(31000));
        assertEquals(1, cluster.instancesOf("/a"));
    }

    @Test
    void releaseFreesResourcesPortsAndInstanceCounts() {
        // Given
        Cluster cluster = clusterOf(node("n1"));
        cluster.allocate(allocation("t1", "/a", "n1", 1, 100, 31003));

        // When
        cluster.release("t1");

        // Then
        NodeView view = cluster.view("n1").orElseThrow();
        assertEquals(NodeResources.NONE, cluster.allocated("n1"));
        assertTrue(view.portFree(31003));
        assertEquals(0, view.instancesOf("/a"));
        assertTrue(cluster.allocation("t1").isEmpty());
    }

    @Test
    void releasingATaskTwiceOrNeverAllocatedChangesNothing() {
        // Given
        Cluster cluster = clusterOf(node("n1"));
        cluster.allocate(allocation("t1", "/a", "n1", 1, 100));
        cluster.release("t1");

        // When
        cluster.release("t1");
        cluster.release("unknown");

        // Then
        assertEquals(NodeResources.NONE, cluster.allocated("n1"));
    }

    @Test
    void countsAnAllocationMadeBeforeItsNodeRegisteredOnceTheNodeAppears() {
        // Given an allocation replayed before its node's registration
        Cluster cluster = new Cluster();
        cluster.allocate(allocation("t1", "/a", "n1", 3, 100, 31001));

        // When
        cluster.putNode(node("n1").cpus(4).build());

        // Then
        NodeView view = cluster.view("n1").orElseThrow();
        assertEquals(1.0, view.freeCpus(), 1e-9);
        assertFalse(view.portFree(31001));
        assertEquals(1, view.instancesOf("/a"));
    }

    @Test
    void keepsAllocationsAndModeWhenANodeIsUpdated() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(4));
        cluster.allocate(allocation("t1", "/a", "n1", 1, 100));
        cluster.setMode("n1", NodeAvailability.DRAINING);

        // When
        cluster.putNode(node("n1").cpus(8).attribute("zone", "b").build());

        // Then
        assertEquals(7.0, cluster.view("n1").orElseThrow().freeCpus(), 1e-9);
        assertEquals(NodeAvailability.DRAINING, cluster.mode("n1"));
    }

    @Test
    void keepsAllocationsOfARemovedNodeUntilReleased() {
        // Given
        Cluster cluster = clusterOf(node("n1"));
        cluster.allocate(allocation("t1", "/a", "n1", 1, 100));

        // When
        cluster.removeNode("n1");

        // Then
        assertEquals(0, cluster.nodeCount());
        assertTrue(cluster.view("n1").isEmpty());
        assertEquals(List.of(cluster.allocation("t1").orElseThrow()), cluster.allocationsOn("n1"));
        assertEquals(new NodeResources(1, 100, 0), cluster.allocated("n1"));
    }

    @Test
    void listsNodesById() {
        // Given
        Cluster cluster = clusterOf(node("n3"), node("n1"), node("n2"));

        // When
        List<String> ids = new ArrayList<>();
        cluster.nodes().forEach(n -> ids.add(n.nodeId()));

        // Then
        assertEquals(List.of("n1", "n2", "n3"), ids);
    }

    @Test
    void indexesNodesByFieldValueAndFollowsAttributeChanges() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("zone", "a"), node("n2").attribute("zone", "b"));
        assertEquals(1, cluster.nodesWith("zone", "a").size());

        // When
        cluster.putNode(node("n2").attribute("zone", "a").build());
        cluster.removeNode("n1");

        // Then
        assertEquals("n2", cluster.nodesWith("zone", "a").all.get(0).id);
        assertEquals(1, cluster.nodesWith("zone", "a").size());
        assertEquals(0, cluster.nodesWith("zone", "b").size());
    }

    @Test
    void movesANodeThroughTheLoadTiersAsItFillsAndEmpties() {
        // Given an empty node of 4 cpus and 4096 mem
        Cluster cluster = clusterOf(node("n1").cpus(4).mem(4096));
        NodeState state = (NodeState) cluster.view("n1").orElseThrow();
        assertEquals(0, state.tier);

        // When half of it is allocated
        cluster.allocate(allocation("t1", "/a", "n1", 2, 2048));

        // Then it sits in the tier of loads from 4/8 to 5/8
        assertEquals(5, state.tier);
        assertEquals(1, cluster.ring().tier(5).size());

        // And when it is released it is empty again
        cluster.release("t1");
        assertEquals(0, state.tier);
        assertEquals(0, cluster.ring().tier(5).size());
    }

    @Test
    void keepsItsIndexesConsistentThroughRandomChanges() {
        // Given a cluster whose zone and rack fields are indexed
        java.util.Random random = new java.util.Random(11);
        Cluster cluster = new Cluster();
        cluster.valuesOf("zone");
        cluster.valuesOf("rack");
        List<String> live = new ArrayList<>();

        // When nodes come, change and go while tasks are allocated and released, in random order
        for (int step = 0; step < 3_000; step++) {
            String nodeId = "n" + random.nextInt(30);
            switch (random.nextInt(5)) {
                case 0 -> cluster.putNode(node(nodeId).cpus(4).mem(4096).attribute("zone", "z" + random.nextInt(3))
                        .attribute("rack", "r" + random.nextInt(5)).build());
                case 1 -> cluster.removeNode(nodeId);
                case 2, 3 -> {
                    String taskId = "t" + step;
                    cluster.allocate(allocation(taskId, "/a" + random.nextInt(4), nodeId, random.nextDouble(),
                            random.nextDouble() * 1000));
                    live.add(taskId);
                }
                default -> {
                    if (!live.isEmpty()) {
                        cluster.release(live.remove(random.nextInt(live.size())));
                    }
                }
            }

            // Then every ring holds exactly the registered nodes it should, each in its current tier
            assertConsistent(cluster.ring(), cluster.nodeCount(), null, null, cluster);
            for (String field : List.of("zone", "rack")) {
                int total = 0;
                for (var e : cluster.valuesOf(field).entrySet()) {
                    assertConsistent(e.getValue(), -1, field, e.getKey(), cluster);
                    total += e.getValue().size();
                }
                assertEquals(cluster.nodeCount(), total);
            }
        }
    }

    private static void assertConsistent(TieredRing ring, int expectedSize, String field, String value,
                                         Cluster cluster) {
        if (expectedSize >= 0) {
            assertEquals(expectedSize, ring.size());
        }
        int inTiers = 0;
        for (int tier = 0; tier < TieredRing.TIERS; tier++) {
            for (int i = 0; i < ring.tier(tier).size(); i++) {
                NodeState node = ring.tier(tier).get(i);
                assertEquals(tier, node.tier);
                assertEquals(Cluster.tierOf(node), node.tier);
                inTiers++;
            }
        }
        assertEquals(ring.size(), inTiers);
        for (int i = 0; i < ring.all.size(); i++) {
            NodeState node = ring.all.get(i);
            assertTrue(cluster.node(node.id).isPresent());
            if (field != null) {
                assertEquals(value, node.field(field));
            }
        }
    }
}
