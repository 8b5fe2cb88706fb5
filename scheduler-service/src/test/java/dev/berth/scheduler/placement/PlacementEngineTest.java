package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.messages.PortAssignment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.berth.contracts.app.Constraint.Operator.CLUSTER;
import static dev.berth.contracts.app.Constraint.Operator.GROUP_BY;
import static dev.berth.contracts.app.Constraint.Operator.LIKE;
import static dev.berth.contracts.app.Constraint.Operator.MAX_PER;
import static dev.berth.contracts.app.Constraint.Operator.UNIQUE;
import static dev.berth.contracts.app.Constraint.Operator.UNLIKE;
import static dev.berth.contracts.app.PlacementStrategy.BINPACK;
import static dev.berth.contracts.app.PlacementStrategy.SPREAD;
import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.nodeOf;
import static dev.berth.scheduler.placement.Fixtures.nodesOf;
import static dev.berth.scheduler.placement.Fixtures.reasonsOf;
import static dev.berth.scheduler.placement.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementEngineTest {
    private final PlacementEngine engine = new PlacementEngine(BINPACK);

    @Test
    void reportsNoNodesRegisteredOnAnEmptyCluster() {
        // Given
        Cluster cluster = new Cluster();

        // When
        PlacementResult result = engine.place(List.of(task("t1", "/app").build()), cluster).get(0);

        // Then
        assertEquals(Map.of("no nodes registered", 0), reasonsOf(result));
    }

    @Test
    void allocatesEachPlacedTaskOnTheCluster() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(4));

        // When
        PlacementResult result = engine.place(List.of(task("t1", "/app").cpus(1.5).mem(300).port(0).build()),
                cluster).get(0);

        // Then
        var placed = (PlacementResult.Placed) result;
        assertEquals("n1", placed.nodeId());
        assertEquals(cluster.node("n1").orElseThrow().host(), placed.host());
        assertEquals(new Cluster.Allocation("t1", "/app", "n1", task("t1", "/app").cpus(1.5).mem(300).build().resources(),
                List.of(31000)), cluster.allocation("t1").orElseThrow());
    }

    @Test
    void seesEarlierPlacementsOfTheSameBatch() {
        // Given two nodes with room for one task each
        Cluster cluster = clusterOf(node("n1").cpus(1), node("n2").cpus(1));

        // When three one-cpu tasks are placed in one batch
        List<PlacementResult> results = engine.place(task("t", "/app").cpus(1).times(3), cluster);

        // Then the first two take one node each and the third finds both full
        assertEquals(Set.of("n1", "n2"), Set.of(nodeOf(results.get(0)), nodeOf(results.get(1))));
        assertEquals(Map.of("insufficient cpus", 2), reasonsOf(results.get(2)));
    }

    @Test
    void countsEachNodesFirstRejectionInTheReasons() {
        // Given one draining node, two short of mem, one holding the fixed port
        Cluster cluster = clusterOf(node("n1"), node("n2").mem(64), node("n3").mem(64), node("n4"));
        cluster.setMode("n1", NodeAvailability.DRAINING);
        cluster.allocate(allocation("other", "/other", "n4", 0, 0, 31005));

        // When
        PlacementResult result = engine.place(List.of(task("t1", "/app").mem(128).port(31005).build()), cluster).get(0);

        // Then, most frequent first
        assertEquals(Map.of("insufficient mem", 2, "node draining", 1, "host port 31005 unavailable", 1),
                reasonsOf(result));
        assertEquals("insufficient mem", reasonsOf(result).keySet().iterator().next());
    }

    @Test
    void givesDrainingAndUnreachableNodesNothing() {
        // Given
        Cluster cluster = clusterOf(node("draining"), node("unreachable"), node("ready").cpus(2));
        cluster.setMode("draining", NodeAvailability.DRAINING);
        cluster.setMode("unreachable", NodeAvailability.UNREACHABLE);

        // When
        List<PlacementResult> results = engine.place(task("t", "/app").cpus(1).times(3), cluster);

        // Then
        assertEquals("ready", nodeOf(results.get(0)));
        assertEquals("ready", nodeOf(results.get(1)));
        assertEquals(Map.of("insufficient cpus", 1, "node draining", 1, "node unreachable", 1),
                reasonsOf(results.get(2)));
    }

    @Test
    void binpackFillsOneNodeBeforeTheNext() {
        // Given two equal nodes, and one-task apps (so no app anti-affinity)
        Cluster cluster = clusterOf(node("n1").cpus(4), node("n2").cpus(4));
        List<TaskRequest> tasks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tasks.add(task("t" + i, "/app-" + i).cpus(1).strategy(BINPACK).build());
        }

        // When
        List<String> nodes = nodesOf(engine.place(tasks, cluster));

        // Then the first four share a node, the last four the other
        assertEquals(1, new HashSet<>(nodes.subList(0, 4)).size(), nodes.toString());
        assertEquals(1, new HashSet<>(nodes.subList(4, 8)).size(), nodes.toString());
        assertTrue(!nodes.get(0).equals(nodes.get(4)), nodes.toString());
    }

    @Test
    void spreadAlternatesBetweenEqualNodes() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(4), node("n2").cpus(4));
        List<TaskRequest> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tasks.add(task("t" + i, "/app-" + i).cpus(1).strategy(SPREAD).build());
        }

        // When
        List<String> nodes = nodesOf(engine.place(tasks, cluster));

        // Then ties go to the lower id, so n1, n2, n1 …
        assertEquals(List.of("n1", "n2", "n1", "n2", "n1", "n2"), nodes);
    }

    @Test
    void usesTheClusterDefaultStrategyWhenTheTaskNamesNone() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(4), node("n2").cpus(4));
        PlacementEngine spreading = new PlacementEngine(SPREAD);

        // When
        List<String> nodes = nodesOf(spreading.place(List.of(task("a", "/a").build(), task("b", "/b").build()), cluster));

        // Then
        assertEquals(List.of("n1", "n2"), nodes);
    }

    @Test
    void spreadsAnAppsInstancesEvenWithoutConstraints() {
        // Given binpack, which alone would stack them
        Cluster cluster = clusterOf(node("n1").cpus(8), node("n2").cpus(8), node("n3").cpus(8));

        // When
        List<String> nodes = nodesOf(new PlacementEngine(BINPACK, PlacementEngine.Options.defaults()
                .withSearchLimit(PlacementEngine.Options.EXHAUSTIVE)).place(task("t", "/app").times(3), cluster));

        // Then
        assertEquals(Set.of("n1", "n2", "n3"), new HashSet<>(nodes));
    }

    @Test
    void placesNoTwoInstancesOnOneHostUnderUniqueConstraint() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(8), node("n2").cpus(8));

        // When
        List<PlacementResult> results = engine.place(task("t", "/app").constraint("hostname", UNIQUE).times(3), cluster);

        // Then
        assertEquals(Set.of("n1", "n2"), Set.of(nodeOf(results.get(0)), nodeOf(results.get(1))));
        assertEquals(Map.of("constraint hostname UNIQUE", 2), reasonsOf(results.get(2)));
    }

    @Test
    void prefersAnAffinityButFallsBackWhenThePreferredNodesAreFull() {
        // Given zone b preferred, with room for two tasks
        Cluster cluster = clusterOf(node("a1").attribute("zone", "a"), node("a2").attribute("zone", "a"),
                node("b1").cpus(2).attribute("zone", "b"));

        // When
        List<String> nodes = nodesOf(engine.place(task("t", "/app").cpus(1).affinity("zone", "b", 100).times(3),
                cluster));

        // Then
        assertEquals("b1", nodes.get(0));
        assertEquals("b1", nodes.get(1));
        assertTrue(nodes.get(2).startsWith("a"), nodes.toString());
    }

    @Test
    void avoidsANegativeAffinityWhileAnotherNodeHasRoom() {
        // Given
        Cluster cluster = clusterOf(node("noisy").cpus(8), node("quiet").cpus(1));

        // When
        List<String> nodes = nodesOf(engine.place(List.of(
                task("t1", "/a").cpus(1).affinity("hostname", "noisy.example", -100).build(),
                task("t2", "/b").cpus(1).affinity("hostname", "noisy.example", -100).build()), cluster));

        // Then
        assertEquals(List.of("quiet", "noisy"), nodes);
    }

    @Test
    void spreadsGroupByInstancesEvenlyOverZones() {
        // Given three zones of two nodes each, different sizes so strategy alone would pick favourites
        Cluster cluster = clusterOf(node("a1").cpus(16).attribute("zone", "a"), node("a2").cpus(16).attribute("zone", "a"),
                node("b1").cpus(4).attribute("zone", "b"), node("b2").cpus(4).attribute("zone", "b"),
                node("c1").cpus(8).attribute("zone", "c"), node("c2").cpus(8).attribute("zone", "c"));

        // When
        List<String> nodes = nodesOf(engine.place(task("t", "/app").constraint("zone", GROUP_BY).times(9), cluster));

        // Then
        Map<String, Integer> perZone = new HashMap<>();
        for (String node : nodes) {
            perZone.merge(node.substring(0, 1), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 3, "b", 3, "c", 3), perZone);
    }

    @Test
    void usesEveryZoneUnderGroupByEvenWhereBinpackFavoursOne() {
        // Given zone a's nodes already three-quarters busy, so BINPACK alone would keep choosing them
        Cluster cluster = clusterOf(node("a1").attribute("zone", "a"), node("a2").attribute("zone", "a"),
                node("a3").attribute("zone", "a"), node("b1").attribute("zone", "b"), node("c1").attribute("zone", "c"));
        for (String busy : List.of("a1", "a2", "a3")) {
            cluster.allocate(allocation("busy-" + busy, "/busy-" + busy, busy, 3, 3072));
        }

        // When
        List<String> nodes = nodesOf(engine.place(task("t", "/app").cpus(0.5).constraint("zone", GROUP_BY).times(3),
                cluster));

        // Then each zone gets one
        Set<String> zones = new HashSet<>();
        nodes.forEach(n -> zones.add(cluster.node(n).orElseThrow().field("zone")));
        assertEquals(Set.of("a", "b", "c"), zones);
    }

    @Test
    void keepsAtMostMaxPerInstancesOnEachValue() {
        // Given two racks
        Cluster cluster = clusterOf(node("n1").cpus(8).attribute("rack", "r1"), node("n2").cpus(8).attribute("rack", "r1"),
                node("n3").cpus(8).attribute("rack", "r2"));

        // When
        List<PlacementResult> results = engine.place(task("t", "/app").constraint("rack", MAX_PER, "2").times(5), cluster);

        // Then
        Map<String, Integer> perRack = new HashMap<>();
        for (PlacementResult r : results.subList(0, 4)) {
            perRack.merge(cluster.node(nodeOf(r)).orElseThrow().field("rack"), 1, Integer::sum);
        }
        assertEquals(Map.of("r1", 2, "r2", 2), perRack);
        assertEquals(Map.of("constraint rack MAX_PER 2", 3), reasonsOf(results.get(4)));
    }

    @Test
    void honoursLikeAndUnlikeTogether() {
        // Given only n1 is on a rack-* rack without hdd
        Cluster cluster = clusterOf(node("n1").attribute("rack", "rack-1").attribute("disk", "ssd"),
                node("n2").attribute("rack", "rack-2").attribute("disk", "hdd"),
                node("n3").attribute("rack", "spare-1").attribute("disk", "ssd"));
        var ruled = task("t", "/app").cpus(2).constraint("rack", LIKE, "rack-.*").constraint("disk", UNLIKE, "hdd");

        // When
        List<PlacementResult> results = engine.place(ruled.times(3), cluster);

        // Then
        assertEquals("n1", nodeOf(results.get(0)));
        assertEquals("n1", nodeOf(results.get(1)));
        assertEquals(Map.of("insufficient cpus", 1, "constraint rack LIKE rack-.*", 1, "constraint disk UNLIKE hdd", 1),
                reasonsOf(results.get(2)));
    }

    @Test
    void clusterConstraintPlacesOnlyOnNodesWithTheValue() {
        // Given
        Cluster cluster = clusterOf(node("a1").attribute("zone", "a"), node("b1").attribute("zone", "b"),
                node("b2").attribute("zone", "b"));

        // When
        List<String> nodes = nodesOf(engine.place(task("t", "/app").constraint("zone", CLUSTER, "b").times(4), cluster));

        // Then
        assertEquals(Set.of("b1", "b2"), new HashSet<>(nodes));
    }

    @Test
    void clusterConstraintFollowsANodeMovedIntoTheValue() {
        // Given
        Cluster cluster = clusterOf(node("a1").attribute("zone", "a"), node("b1").cpus(1).attribute("zone", "b"));
        engine.place(List.of(task("t0", "/x").cpus(1).constraint("zone", CLUSTER, "b").build()), cluster);

        // When a1 is relabelled into zone b
        cluster.putNode(node("a1").attribute("zone", "b").build());
        PlacementResult result = engine.place(List.of(task("t1", "/app").cpus(1).constraint("zone", CLUSTER, "b")
                .build()), cluster).get(0);

        // Then
        assertEquals("a1", nodeOf(result));
    }

    @Test
    void rejectsAFixedPortAlreadyTakenOnEveryNode() {
        // Given
        Cluster cluster = clusterOf(node("n1"), node("n2"));

        // When
        List<PlacementResult> results = engine.place(task("t", "/app").port(31007).times(3), cluster);

        // Then
        assertEquals(Set.of("n1", "n2"), Set.of(nodeOf(results.get(0)), nodeOf(results.get(1))));
        assertEquals(List.of(new PortAssignment("p0", 31007)), ((PlacementResult.Placed) results.get(0)).ports());
        assertEquals(Map.of("host port 31007 unavailable", 2), reasonsOf(results.get(2)));
    }

    @Test
    void assignsDynamicPortsLowestFreeFirstAcrossTasks() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(8));

        // When
        List<PlacementResult> results = engine.place(List.of(task("a", "/a").port(0).port(0).build(),
                task("b", "/b").port(0).build()), cluster);

        // Then
        assertEquals(List.of(new PortAssignment("p0", 31000), new PortAssignment("p1", 31001)),
                ((PlacementResult.Placed) results.get(0)).ports());
        assertEquals(List.of(new PortAssignment("p0", 31002)), ((PlacementResult.Placed) results.get(1)).ports());
    }

    @Test
    void countsAnAllocationReplayedBeforeItsNodeOnceTheNodeAppears() {
        // Given an allocation that arrived before its node
        Cluster cluster = new Cluster();
        cluster.allocate(allocation("old", "/app", "n1", 3, 0));

        // When
        cluster.putNode(node("n1").cpus(4).build());
        PlacementResult result = engine.place(List.of(task("t1", "/other").cpus(2).build()), cluster).get(0);

        // Then
        assertEquals(Map.of("insufficient cpus", 1), reasonsOf(result));
    }

    @Test
    void placesAgainOnWhatAReleaseFreed() {
        // Given a full node
        Cluster cluster = clusterOf(node("n1").cpus(1));
        engine.place(List.of(task("t1", "/app").cpus(1).build()), cluster);
        assertEquals(Map.of("insufficient cpus", 1), reasonsOf(engine.place(List.of(task("t2", "/app").cpus(1).build()),
                cluster).get(0)));

        // When
        cluster.release("t1");

        // Then
        assertEquals("n1", nodeOf(engine.place(List.of(task("t2", "/app").cpus(1).build()), cluster).get(0)));
    }

    @Test
    void reusesTheReasonsOfAnIdenticalFailedRequestInTheSameBatch() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(1));

        // When
        List<PlacementResult> results = engine.place(task("t", "/app").cpus(2).times(3), cluster);

        // Then
        assertSame(results.get(1), results.get(2));
        assertEquals(Map.of("insufficient cpus", 1), reasonsOf(results.get(1)));
    }

    @Test
    void rescansAFailedRequestOnceItsAppHasChanged() {
        // Given zone a holds two instances, and the only node of zone b is too small for a big one
        Cluster cluster = clusterOf(node("a1").cpus(8).attribute("zone", "a"), node("b1").cpus(1).attribute("zone", "b"));
        cluster.allocate(allocation("x1", "/app", "a1", 0.5, 0));
        cluster.allocate(allocation("x2", "/app", "a1", 0.5, 0));
        cluster.allocate(allocation("x3", "/app", "b1", 0.5, 0));
        var big = task("big", "/app").cpus(1).constraint("zone", GROUP_BY);
        var small = task("small", "/app").cpus(0.5).constraint("zone", GROUP_BY);

        // When a big one fails, a small one evens the zones, and the same big one is asked again
        List<PlacementResult> results = engine.place(List.of(big.times(2).get(0), small.build(), big.times(2).get(1)),
                cluster);

        // Then the second big one sees zone a as least used again and goes there
        assertEquals(Map.of("constraint zone GROUP_BY", 1, "insufficient cpus", 1), reasonsOf(results.get(0)));
        assertEquals("b1", nodeOf(results.get(1)));
        assertEquals("a1", nodeOf(results.get(2)));
    }

    @Test
    void placesTheSameWayWhetherInOneBatchOrOneByOne() {
        // Given two identical clusters
        Cluster batched = bigCluster();
        Cluster single = bigCluster();
        List<TaskRequest> tasks = new ArrayList<>();
        tasks.addAll(task("u", "/unique").constraint("hostname", UNIQUE).times(20));
        tasks.addAll(task("g", "/grouped").constraint("zone", GROUP_BY).times(20));
        tasks.addAll(task("p", "/plain").times(20));

        // When
        List<String> inOneBatch = nodesOf(engine.place(tasks, batched));
        List<String> oneByOne = new ArrayList<>();
        for (TaskRequest task : tasks) {
            oneByOne.add(nodeOf(engine.place(List.of(task), single).get(0)));
        }

        // Then
        assertEquals(inOneBatch, oneByOne);
    }

    @Test
    void placesTheSameWayGivenTheSameInputs() {
        // Given
        List<TaskRequest> tasks = task("t", "/app").constraint("zone", GROUP_BY).times(50);

        // When
        List<String> first = nodesOf(new PlacementEngine(SPREAD).place(tasks, bigCluster()));
        List<String> second = nodesOf(new PlacementEngine(SPREAD).place(tasks, bigCluster()));

        // Then
        assertEquals(first, second);
    }

    @Test
    void findsTheOnlyFeasibleNodeOfALargeClusterDespiteTheLimitedSearch() {
        // Given 200 nodes, of which one has the memory
        Cluster cluster = bigCluster();
        cluster.putNode(node("n-137").mem(1_000_000).attribute("zone", "z7").build());

        // When
        PlacementResult result = engine.place(List.of(task("t1", "/app").mem(500_000).build()), cluster).get(0);

        // Then
        assertEquals("n-137", nodeOf(result));
    }

    @Test
    void spreadsUniqueInstancesOverEveryNodeOfALargeCluster() {
        // Given
        Cluster cluster = bigCluster();

        // When
        List<PlacementResult> results = engine.place(task("t", "/app").constraint("hostname", UNIQUE).times(201),
                cluster);

        // Then
        Set<String> nodes = new HashSet<>(nodesOf(results.subList(0, 200)));
        assertEquals(200, nodes.size());
        assertEquals(Map.of("constraint hostname UNIQUE", 200), reasonsOf(results.get(200)));
    }

    @Test
    void limitedSearchStillPrefersFullerNodesUnderBinpack() {
        // Given half of a large cluster already busy
        Cluster cluster = bigCluster();
        for (int i = 0; i < 200; i += 2) {
            cluster.allocate(allocation("busy-" + i, "/busy-" + i, "n-" + i, 3, 3000));
        }

        // When 50 single-instance apps are placed
        List<TaskRequest> tasks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            tasks.add(task("t" + i, "/one-" + i).cpus(0.5).mem(128).build());
        }
        List<String> nodes = nodesOf(engine.place(tasks, cluster));

        // Then nearly all of them land on the busy half
        long onBusy = nodes.stream().filter(n -> Integer.parseInt(n.substring(2)) % 2 == 0).count();
        assertTrue(onBusy >= 45, "on busy nodes: " + onBusy);
    }

    private static Cluster bigCluster() {
        Cluster cluster = new Cluster();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            order.add(i);
        }
        Collections.reverse(order);
        for (int i : order) {
            cluster.putNode(node("n-" + i).attribute("zone", "z" + (i % 10)).attribute("rack", "r" + (i % 40)).build());
        }
        assertNotNull(cluster.node("n-0").orElse(null));
        return cluster;
    }
}
