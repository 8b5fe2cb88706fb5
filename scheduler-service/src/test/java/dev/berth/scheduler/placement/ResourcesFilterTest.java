package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.scheduler.placement.Fixtures.allocation;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ResourcesFilterTest {
    private final NodeFilter filter = ResourcesFilter.INSTANCE;

    @Test
    void acceptsATaskThatFitsExactlyWhatIsLeft() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(1).mem(1024));
        cluster.allocate(allocation("other", "/other", "n1", 0.7, 1000));

        // When
        String reason = verdict(filter, task("t1", "/app").cpus(0.3).mem(24).build(), cluster, "n1");

        // Then
        assertNull(reason);
    }

    @Test
    void namesCpusWhenCpusAreShort() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(2));
        cluster.allocate(allocation("other", "/other", "n1", 1.5, 0));

        // When
        String reason = verdict(filter, task("t1", "/app").cpus(1).build(), cluster, "n1");

        // Then
        assertEquals("insufficient cpus", reason);
    }

    @Test
    void namesMemWhenOnlyMemIsShort() {
        // Given
        Cluster cluster = clusterOf(node("n1").mem(512));

        // When
        String reason = verdict(filter, task("t1", "/app").mem(1024).build(), cluster, "n1");

        // Then
        assertEquals("insufficient mem", reason);
    }

    @Test
    void namesDiskWhenOnlyDiskIsShort() {
        // Given
        Cluster cluster = clusterOf(node("n1").disk(100));

        // When
        String reason = verdict(filter, task("t1", "/app").disk(200).build(), cluster, "n1");

        // Then
        assertEquals("insufficient disk", reason);
    }

    @Test
    void seesResourcesFreedByARelease() {
        // Given
        Cluster cluster = clusterOf(node("n1").cpus(1));
        cluster.allocate(allocation("other", "/other", "n1", 1, 0));

        // When
        cluster.release("other");

        // Then
        assertNull(verdict(filter, task("t1", "/app").cpus(1).build(), cluster, "n1"));
    }
}
