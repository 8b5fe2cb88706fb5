package dev.berth.agent.metrics;

import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AgentMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AgentMetrics metrics = new AgentMetrics(registry);

    @Test
    void aLaunchIsTimedFromStartingToRunning() {
        // Given a task reported STARTING
        metrics.observe(status("t1", TaskState.STARTING, null), 1_000_000_000L);

        // When it is reported RUNNING 250 ms later
        metrics.observe(status("t1", TaskState.RUNNING, null), 1_250_000_000L);

        // Then one launch of 250 ms is recorded
        assertEquals(1, registry.get("berth.agent.launch").timer().count());
        assertEquals(250, registry.get("berth.agent.launch").timer().totalTime(TimeUnit.MILLISECONDS), 0.001);
    }

    @Test
    void aTaskReAdoptedRunningWithoutALaunchIsNotTimed() {
        metrics.observe(status("t1", TaskState.RUNNING, "re-adopted after an agent restart"), 5L);

        assertEquals(0, registry.get("berth.agent.launch").timer().count());
    }

    @Test
    void anOomKillIsCountedForTheTeamOfItsApp() {
        // When a task of team-a fails for its memory, and another fails for another reason
        metrics.observe(status("t1", TaskState.FAILED, TaskStatus.OOM_KILLED + ": the kernel killed it"), 1L);
        metrics.observe(status("t2", TaskState.FAILED, "exited with code 1"), 1L);

        // Then only the first counts, under its team
        assertEquals(1.0, registry.get("berth.agent.oom.kills").tag("team", "team-a").counter().count());
    }

    @Test
    void aTeamsOomCounterStartsAtZeroWithItsFirstTaskHere() {
        metrics.observe(status("t1", TaskState.STARTING, null), 1L);

        assertEquals(0.0, registry.get("berth.agent.oom.kills").tag("team", "team-a").counter().count());
    }

    @Test
    void probesAreCountedByResult() {
        metrics.probed(true);
        metrics.probed(true);
        metrics.probed(false);

        assertEquals(2.0, registry.get("berth.agent.health.checks").tag("result", "passed").counter().count());
        assertEquals(1.0, registry.get("berth.agent.health.checks").tag("result", "failed").counter().count());
    }

    @Test
    void statusesArePassedOnUnchanged() {
        List<TaskStatus> sent = new ArrayList<>();
        TaskStatus starting = status("t1", TaskState.STARTING, null);

        metrics.observing(sent::add).report(starting);

        assertEquals(List.of(starting), sent);
    }

    @Test
    void theHeartbeatAgeIsUnknownUntilTheFirstAcknowledgement() {
        metrics.countRunning(() -> 2);
        assertEquals(2.0, registry.get("berth.agent.running.tasks").gauge().value());
        assertEquals(Double.NaN, registry.get("berth.agent.heartbeat.age").gauge().value());

        metrics.heartbeatAcknowledged();

        double age = registry.get("berth.agent.heartbeat.age").gauge().value();
        assertEquals(0, age, 5.0);
        assertNull(registry.find("berth.agent.oom.kills").counter());
    }

    private static TaskStatus status(String taskId, TaskState state, String reason) {
        return TaskStatus.of(taskId, "/team-a/web", "node-1", state, reason, null, null);
    }
}
