package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.berth.contracts.app.Constraint.Operator.GROUP_BY;
import static dev.berth.contracts.app.Constraint.Operator.IS;
import static dev.berth.contracts.app.Constraint.Operator.LIKE;
import static dev.berth.contracts.app.Constraint.Operator.UNLIKE;
import static dev.berth.contracts.app.PlacementStrategy.BINPACK;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.nodeOf;
import static dev.berth.scheduler.placement.Fixtures.reasonsOf;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@code isolation} is a built-in constraint field, like {@code hostname}: the agent's own report. */
class IsolationConstraintTest {
    private final NodeFilter filter = ConstraintFilter.INSTANCE;

    @Test
    void unlikeBestEffortKeepsTasksOffNodesThatCannotIsolate() {
        // Given
        Cluster cluster = clusterOf(node("n1").isolation("best-effort"), node("n2").isolation("cgroups-v2"));
        var isolated = task("t1", "/app").constraint("isolation", UNLIKE, "best-effort").build();

        // When / Then
        assertEquals("constraint isolation UNLIKE best-effort", verdict(filter, isolated, cluster, "n1"));
        assertNull(verdict(filter, isolated, cluster, "n2"));
    }

    @Test
    void isPicksNodesOfOneCgroupVersion() {
        // Given
        Cluster cluster = clusterOf(node("n1").isolation("cgroups-v1"), node("n2").isolation("cgroups-v2"));
        var onV1 = task("t1", "/app").constraint("isolation", IS, "cgroups-v1").build();

        // When / Then
        assertNull(verdict(filter, onV1, cluster, "n1"));
        assertEquals("constraint isolation IS cgroups-v1", verdict(filter, onV1, cluster, "n2"));
    }

    @Test
    void aNodeThatReportsNoIsolationCountsAsBestEffort() {
        // Given a node whose agent does not say how it isolates
        Cluster cluster = clusterOf(node("n1"));

        // When / Then: it is not taken for an isolating node, not even by UNLIKE, which a missing field passes
        assertEquals("constraint isolation UNLIKE best-effort", verdict(filter,
                task("t1", "/app").constraint("isolation", UNLIKE, "best-effort").build(), cluster, "n1"));
        assertNull(verdict(filter, task("t2", "/app").constraint("isolation", IS, "best-effort").build(), cluster,
                "n1"));
    }

    @Test
    void anOperatorAttributeNamedIsolationDoesNotOverrideTheAgentsReport() {
        // Given a best-effort node that an operator labelled as if it isolated
        Cluster cluster = clusterOf(node("n1").isolation("best-effort").attribute("isolation", "cgroups-v2"));

        // When / Then
        assertEquals("constraint isolation LIKE cgroups-.*", verdict(filter,
                task("t1", "/app").constraint("isolation", LIKE, "cgroups-.*").build(), cluster, "n1"));
    }

    @Test
    void theEnginePlacesAnIsConstraintThroughTheFieldIndex() {
        // Given many best-effort nodes and one that isolates with cgroups v2
        Cluster cluster = clusterOf(node("n1"), node("n2"), node("n3"), node("n4").isolation("cgroups-v2"));

        // When
        PlacementResult result = new PlacementEngine(BINPACK).place(
                List.of(task("t1", "/app").constraint("isolation", IS, "cgroups-v2").build()), cluster).get(0);

        // Then
        assertEquals("n4", nodeOf(result));
    }

    @Test
    void aNodeThatStopsIsolatingIsReindexed() {
        // Given a node that isolated with cgroups v2
        Cluster cluster = clusterOf(node("n1").isolation("cgroups-v2"));
        PlacementEngine engine = new PlacementEngine(BINPACK);
        nodeOf(engine.place(List.of(task("t1", "/app").constraint("isolation", IS, "cgroups-v2").build()), cluster)
                .get(0));

        // When its agent restarts without cgroups
        cluster.putNode(node("n1").isolation("best-effort").build());

        // Then no task that needs cgroups goes there any more
        PlacementResult result = engine.place(
                List.of(task("t2", "/other").constraint("isolation", IS, "cgroups-v2").build()), cluster).get(0);
        assertEquals(Map.of("constraint isolation IS cgroups-v2", 1), reasonsOf(result));
    }

    @Test
    void groupByIsolationSpreadsOverTheKindsOfNode() {
        // Given
        Cluster cluster = clusterOf(node("n1").isolation("cgroups-v1"), node("n2").isolation("cgroups-v2"));

        // When
        List<PlacementResult> results = new PlacementEngine(BINPACK).place(
                task("t", "/app").constraint("isolation", GROUP_BY).times(2), cluster);

        // Then
        assertEquals(Set.of("n1", "n2"), Set.of(nodeOf(results.get(0)), nodeOf(results.get(1))));
    }
}
