package dev.berth.agent.health;

import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.messages.TaskState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transition rules alone, over a fixed clock: no probes, no threads. */
class TaskHealthTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final ProbeResult PASS = ProbeResult.pass("HTTP 200");
    private static final ProbeResult FAIL = ProbeResult.fail("HTTP 500");

    @Test
    void aTaskIsHealthyOnlyOnceEveryCheckHasPassed() {
        // Given a task with two checks
        TaskHealth health = health(List.of(check(0, 3), check(0, 3)));

        // When only the first passes, then the second
        Optional<HealthTransition> first = health.record(0, PASS, START.plusSeconds(1));
        Optional<HealthTransition> second = health.record(1, PASS, START.plusSeconds(1));

        // Then it becomes healthy with the second, and a further pass reports nothing
        assertTrue(first.isEmpty());
        assertEquals(TaskState.HEALTHY, second.orElseThrow().state());
        assertEquals(1, second.orElseThrow().report().checkIndex());
        assertTrue(health.record(0, PASS, START.plusSeconds(2)).isEmpty());
    }

    @Test
    void failuresDuringTheGracePeriodAreIgnoredUntilTheFirstPass() {
        // Given a check with a 10 s grace period
        TaskHealth health = health(List.of(check(10, 3)));

        // When it fails within the grace period, passes, then fails still within it
        Optional<HealthTransition> early = health.record(0, FAIL, START.plusSeconds(5));
        Optional<HealthTransition> pass = health.record(0, PASS, START.plusSeconds(6));
        Optional<HealthTransition> afterPass = health.record(0, FAIL, START.plusSeconds(7));

        // Then the early failure was not counted, and the one after the pass was
        assertTrue(early.isEmpty());
        assertEquals(TaskState.HEALTHY, pass.orElseThrow().state());
        assertEquals(TaskState.UNHEALTHY, afterPass.orElseThrow().state());
        assertEquals(1, afterPass.orElseThrow().report().consecutiveFailures());
    }

    @Test
    void aFailureAfterTheGracePeriodCountsEvenWithoutAPass() {
        TaskHealth health = health(List.of(check(10, 3)));

        Optional<HealthTransition> late = health.record(0, FAIL, START.plusSeconds(10));

        assertEquals(TaskState.UNHEALTHY, late.orElseThrow().state());
        assertEquals("HTTP check on port 31002 /health failed: HTTP 500", late.orElseThrow().reason());
    }

    @Test
    void exhaustionIsReportedOnceWhenTheLimitIsReached() {
        // Given a healthy task whose check allows 3 failures
        TaskHealth health = health(List.of(check(0, 3)));
        health.record(0, PASS, START);

        // When it fails 5 times
        List<Optional<HealthTransition>> results = List.of(health.record(0, FAIL, START),
                health.record(0, FAIL, START), health.record(0, FAIL, START), health.record(0, FAIL, START),
                health.record(0, FAIL, START));

        // Then the first failure and the third are reported, and nothing else
        assertFalse(results.get(0).orElseThrow().report().exhausted());
        assertTrue(results.get(1).isEmpty());
        HealthTransition exhausted = results.get(2).orElseThrow();
        assertTrue(exhausted.report().exhausted());
        assertEquals("HEALTH_CHECK_FAILED: HTTP check on port 31002 /health failed 3 times in a row: HTTP 500",
                exhausted.reason());
        assertTrue(results.get(3).isEmpty());
        assertTrue(results.get(4).isEmpty());
    }

    @Test
    void aPassAfterFailuresMakesTheTaskHealthyAgainOnlyWhenNoCheckFails() {
        // Given two checks that both failed after passing
        TaskHealth health = health(List.of(check(0, 3), check(0, 3)));
        health.record(0, PASS, START);
        health.record(1, PASS, START);
        health.record(0, FAIL, START);
        health.record(1, FAIL, START);

        // When the first passes again, then the second
        Optional<HealthTransition> oneBack = health.record(0, PASS, START);
        Optional<HealthTransition> bothBack = health.record(1, PASS, START);

        // Then only the second pass makes the task healthy again
        assertTrue(oneBack.isEmpty());
        assertEquals(TaskState.HEALTHY, bothBack.orElseThrow().state());
        assertEquals(0, bothBack.orElseThrow().report().consecutiveFailures());
    }

    @Test
    void aCheckWithoutALimitIsNeverExhausted() {
        TaskHealth health = health(List.of(check(0, 0)));

        Optional<HealthTransition> first = health.record(0, FAIL, START);
        for (int i = 0; i < 100; i++) {
            assertTrue(health.record(0, FAIL, START).isEmpty());
        }

        assertFalse(first.orElseThrow().report().exhausted());
    }

    private static TaskHealth health(List<HealthCheck> checks) {
        return new TaskHealth(checks, checks.stream().map(c -> "HTTP check on port 31002 /health").toList(), START);
    }

    private static HealthCheck check(int graceSeconds, int maxConsecutiveFailures) {
        return new HealthCheck(HealthCheck.Protocol.HTTP, "/health", 0, null, null, graceSeconds, 1, 1,
                maxConsecutiveFailures, 0);
    }
}
