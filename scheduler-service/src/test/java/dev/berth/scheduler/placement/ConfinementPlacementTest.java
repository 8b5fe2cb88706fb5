package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PlacementStrategy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.nodeOf;
import static dev.berth.scheduler.placement.Fixtures.nodesOf;
import static dev.berth.scheduler.placement.Fixtures.reasonsOf;
import static dev.berth.scheduler.placement.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The users a node allows and the root file system it gives tasks, as the engine applies them. */
class ConfinementPlacementTest {
    private final PlacementEngine engine = new PlacementEngine(PlacementStrategy.SPREAD);

    @Test
    void anAppNamingAUserGoesOnlyToTheNodeThatAllowsIt() {
        // Given three nodes, one of them (the fullest) allowing postgres
        Cluster cluster = clusterOf(node("n1").ownRootAllowing(), node("n2").ownRootAllowing("postgres"),
                node("n3").ownRootAllowing());
        cluster.allocate(Fixtures.allocation("busy", "/other", "n2", 2, 1024));

        // When two instances of an app that runs as postgres are placed, spread
        List<String> nodes = nodesOf(engine.place(task("t", "/db").user("postgres").times(2), cluster));

        // Then both land on the one node that allows postgres
        assertEquals(List.of("n2", "n2"), nodes);
    }

    @Test
    void anAppThatNoNodeLetsRunAsRootWaitsAndEveryNodeSaysSo() {
        // Given three nodes none of which allows root, one of them draining
        Cluster cluster = clusterOf(node("n1").ownRootAllowing("postgres"), node("n2").ownRootAllowing(),
                node("n3").ownRootAllowing());
        cluster.setMode("n3", NodeAvailability.DRAINING);

        // When an app that runs as root is placed
        PlacementResult result = engine.place(List.of(task("t1", "/app").user("root").build()), cluster).get(0);

        // Then it waits; the draining node says it is draining, the others that root is not allowed
        assertEquals(Map.of("user root not allowed", 2, "node draining", 1), reasonsOf(result));
    }

    @Test
    void aNodeThatRefusesTheUserSaysSoRatherThanThatItIsFull() {
        // Given a full node that does not allow root and an empty one that gives no own root
        Cluster cluster = clusterOf(node("n1").ownRootAllowing().cpus(0.5), node("n2").hostRootAllowing("root"));

        // When an app that runs as root and requires its own root file system is placed
        PlacementResult result = engine.place(List.of(task("t1", "/app").user("root").ownRootRequired().build()),
                cluster).get(0);

        // Then each node gives what it is, not what it has left
        assertEquals(Map.of("user root not allowed", 1, "no own root file system for tasks", 1), reasonsOf(result));
    }

    @Test
    void anAppRequiringItsOwnRootGoesOnlyWhereTasksGetOne() {
        Cluster cluster = clusterOf(node("n1").hostRootAllowing(), node("n2").ownRootAllowing(), node("n3"));

        PlacementResult result = engine.place(List.of(task("t1", "/app").ownRootRequired().build()), cluster).get(0);

        assertEquals("n2", nodeOf(result));
    }

    @Test
    void identicalWaitingRequestsOfOneAppShareTheirReasonsButAnotherUserIsPlacedOnItsOwn() {
        // Given one node that allows only postgres
        Cluster cluster = clusterOf(node("n1").ownRootAllowing("postgres"));

        // When a batch holds two tasks as root and then one as postgres, of the same app (a deployment
        // changing the user)
        List<PlacementResult> results = engine.place(List.of(task("t1", "/db").user("root").build(),
                task("t2", "/db").user("root").build(), task("t3", "/db").user("postgres").build()), cluster);

        // Then the root tasks wait with the node's reason, and the postgres one is not given their answer
        assertEquals(Map.of("user root not allowed", 1), reasonsOf(results.get(0)));
        assertEquals(Map.of("user root not allowed", 1), reasonsOf(results.get(1)));
        assertEquals("n1", nodeOf(results.get(2)));
    }

    @Test
    void anAppWithoutAUserRunsOnAnyNodeEvenOneThatReportsNothing() {
        Cluster cluster = clusterOf(node("n1"));

        assertEquals("n1", nodeOf(engine.place(List.of(task("t1", "/web").build()), cluster).get(0)));
    }
}
