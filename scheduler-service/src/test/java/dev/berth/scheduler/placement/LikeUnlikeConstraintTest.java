package dev.berth.scheduler.placement;

import org.junit.jupiter.api.Test;

import static dev.berth.contracts.app.Constraint.Operator.LIKE;
import static dev.berth.contracts.app.Constraint.Operator.UNLIKE;
import static dev.berth.scheduler.placement.Fixtures.clusterOf;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.task;
import static dev.berth.scheduler.placement.Fixtures.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LikeUnlikeConstraintTest {
    private final NodeFilter filter = ConstraintFilter.INSTANCE;

    @Test
    void likeAcceptsOnlyValuesTheWholeExpressionMatches() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("rack", "rack-12"), node("n2").attribute("rack", "rack-1x"),
                node("n3").attribute("rack", "old-rack-12"));
        var like = task("t1", "/app").constraint("rack", LIKE, "rack-[0-9]+").build();

        // When / Then: a full match, not a find
        assertNull(verdict(filter, like, cluster, "n1"));
        assertEquals("constraint rack LIKE rack-[0-9]+", verdict(filter, like, cluster, "n2"));
        assertEquals("constraint rack LIKE rack-[0-9]+", verdict(filter, like, cluster, "n3"));
    }

    @Test
    void unlikeRejectsValuesTheExpressionMatches() {
        // Given
        Cluster cluster = clusterOf(node("n1").hostname("db-1"), node("n2").hostname("web-1"));
        var unlike = task("t1", "/app").constraint("hostname", UNLIKE, "db-.*").build();

        // When / Then
        assertEquals("constraint hostname UNLIKE db-.*", verdict(filter, unlike, cluster, "n1"));
        assertNull(verdict(filter, unlike, cluster, "n2"));
    }

    @Test
    void likeRejectsANodeLackingTheAttribute() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        String reason = verdict(filter, task("t1", "/app").constraint("rack", LIKE, ".*").build(), cluster, "n1");

        // Then
        assertEquals("constraint rack LIKE .*", reason);
    }

    @Test
    void unlikeAcceptsANodeLackingTheAttribute() {
        // Given
        Cluster cluster = clusterOf(node("n1"));

        // When
        String reason = verdict(filter, task("t1", "/app").constraint("rack", UNLIKE, "rack-1").build(), cluster, "n1");

        // Then
        assertNull(reason);
    }

    @Test
    void rejectsEveryNodeForAnExpressionThatDoesNotCompile() {
        // Given
        Cluster cluster = clusterOf(node("n1").attribute("rack", "r1"));

        // When / Then
        assertEquals("constraint rack LIKE [", verdict(filter, task("t1", "/app").constraint("rack", LIKE, "[").build(),
                cluster, "n1"));
        assertEquals("constraint rack UNLIKE [", verdict(filter,
                task("t1", "/app").constraint("rack", UNLIKE, "[").build(), cluster, "n1"));
    }
}
