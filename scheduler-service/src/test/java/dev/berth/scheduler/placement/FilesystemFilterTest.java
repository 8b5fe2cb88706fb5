package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FilesystemFilterTest {
    private final NodeFilter filter = FilesystemFilter.INSTANCE;

    @Test
    void acceptsATaskThatRequiresAnOwnRootOnANodeThatGivesOne() {
        Cluster cluster = clusterOf(node("n1").ownRootAllowing());

        assertNull(verdict(filter, task("t1", "/app").ownRootRequired().build(), cluster, "n1"));
    }

    @Test
    void rejectsATaskThatRequiresAnOwnRootOnANodeWhereTasksSeeTheHostsFiles() {
        // Given a node whose kernel or privileges cannot give tasks their own root
        Cluster cluster = clusterOf(node("n1").hostRootAllowing());

        // When a task that requires one is checked
        String reason = verdict(filter, task("t1", "/app").ownRootRequired().build(), cluster, "n1");

        // Then the node refuses, saying what it lacks
        assertEquals("no own root file system for tasks", reason);
    }

    @Test
    void rejectsATaskThatRequiresAnOwnRootOnANodeThatReportsNothing() {
        Cluster cluster = clusterOf(node("n1"));

        assertEquals("no own root file system for tasks",
                verdict(filter, task("t1", "/app").ownRootRequired().build(), cluster, "n1"));
    }

    @Test
    void acceptsATaskThatLeavesTheFileSystemOptionalAnywhere() {
        Cluster cluster = clusterOf(node("n1").hostRootAllowing(), node("n2"));

        assertNull(verdict(filter, task("t1", "/app").build(), cluster, "n1"));
        assertNull(verdict(filter, task("t1", "/app").build(), cluster, "n2"));
    }
}
