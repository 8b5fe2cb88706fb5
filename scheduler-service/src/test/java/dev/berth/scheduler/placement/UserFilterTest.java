package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeConfinement;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class UserFilterTest {
    private final NodeFilter filter = UserFilter.INSTANCE;

    @Test
    void acceptsATaskThatNamesNoUserEvenOnANodeThatReportsNothing() {
        // Given a node that says nothing of the users it allows
        Cluster cluster = clusterOf(node("n1"));

        // When a task of an app without a user is checked
        String reason = verdict(filter, task("t1", "/app").build(), cluster, "n1");

        // Then it passes: it runs as the node's default user
        assertNull(reason);
    }

    @Test
    void acceptsTheNodesDefaultUserNamedOutright() {
        Cluster cluster = clusterOf(node("n1").confinement(new NodeConfinement("own-root", "berth-task", List.of())));

        assertNull(verdict(filter, task("t1", "/app").user("berth-task").build(), cluster, "n1"));
    }

    @Test
    void acceptsAUserTheNodeAllows() {
        Cluster cluster = clusterOf(node("n1").ownRootAllowing("postgres"));

        assertNull(verdict(filter, task("t1", "/db").user("postgres").build(), cluster, "n1"));
    }

    @Test
    void rejectsRootOnANodeThatDoesNotAllowItNamingTheUser() {
        // Given a node that allows only nobody and postgres
        Cluster cluster = clusterOf(node("n1").ownRootAllowing("postgres"));

        // When a task that wants root is checked
        String reason = verdict(filter, task("t1", "/app").user("root").build(), cluster, "n1");

        // Then the node refuses, and says which user
        assertEquals("user root not allowed", reason);
    }

    @Test
    void rejectsAnyNamedUserOnANodeThatReportsNothing() {
        // Given a node whose agent does not report how it confines tasks (it may not switch users at all)
        Cluster cluster = clusterOf(node("n1"));

        // When a task that names even the usual default user is checked
        String reason = verdict(filter, task("t1", "/app").user("nobody").build(), cluster, "n1");

        // Then it is refused: nothing says that user is honoured there
        assertEquals("user nobody not allowed", reason);
    }

    @Test
    void acceptsRootWhereTheNodesOperatorAllowedIt() {
        Cluster cluster = clusterOf(node("n1").hostRootAllowing("root"));

        assertNull(verdict(filter, task("t1", "/ops/agent").user("root").build(), cluster, "n1"));
    }
}
