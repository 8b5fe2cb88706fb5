package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ModeFilterTest {
    private final NodeFilter filter = ModeFilter.INSTANCE;

    @Test
    void acceptsAReadyNode() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        String reason = verdict(filter, task("t1", "/app").build(), cluster, "n1");

        // Then
        assertNull(reason);
    }

    @Test
    void rejectsADrainingNodeAsDraining() {
        // Given
        Cluster cluster = clusterOf(node("n1"));
        cluster.setMode("n1", NodeAvailability.DRAINING);

        // When
        String reason = verdict(filter, task("t1", "/app").build(), cluster, "n1");

        // Then
        assertEquals("node draining", reason);
    }

    @Test
    void rejectsAnUnreachableNodeAsUnreachable() {
        // Given
        Cluster cluster = clusterOf(node("n1"));
        cluster.setMode("n1", NodeAvailability.UNREACHABLE);

        // When
        String reason = verdict(filter, task("t1", "/app").build(), cluster, "n1");

        // Then
        assertEquals("node unreachable", reason);
    }

    @Test
    void keepsAModeSetBeforeTheNodeRegistered() {
        // Given
        Cluster cluster = new Cluster();
        cluster.setMode("n1", NodeAvailability.DRAINING);

        // When
        cluster.putNode(node("n1").build());

        // Then
        assertEquals("node draining", verdict(filter, task("t1", "/app").build(), cluster, "n1"));
    }
}
