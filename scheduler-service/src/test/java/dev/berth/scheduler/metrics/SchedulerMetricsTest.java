package dev.berth.scheduler.metrics;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.scheduler.core.Action;
import dev.berth.scheduler.core.SchedulerCore;
import dev.berth.scheduler.core.SchedulerSettings;
import dev.berth.scheduler.placement.PlacementEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SchedulerMetrics metrics = new SchedulerMetrics(registry);
    private final SchedulerCore core = new SchedulerCore(SchedulerSettings.defaults(),
            new PlacementEngine(PlacementStrategy.SPREAD));

    @Test
    void theActiveSchedulerShowsItsStateAndLeadsAndAStandbyShowsNoStateAndDoesNotLead() {
        // Given a core holding an app of team-a that waits for a node
        core.onAppCommand(CreateApp.of(AppDefinition.basic("/team-a/web", "sleep 100", null, 1, 1, 64, 0, Map.of(),
                Map.of(), List.of())), Instant.now());
        assertEquals(0.0, registry.get("berth.scheduler.leader").gauge().value());

        // When this scheduler becomes the active one with it
        metrics.acting(core, Duration.ofMillis(40));

        // Then it leads, its rebuild is timed, and the app and its waiting instance are shown
        assertEquals(1.0, registry.get("berth.scheduler.leader").gauge().value());
        assertEquals(1, registry.get("berth.scheduler.rebuild").timer().count());
        assertEquals(1.0, registry.get("berth.apps").tags("status", "DEPLOYING", "team", "team-a").gauge().value());
        assertEquals(1.0, registry.get("berth.queue.waiting").tag("reason", "unplaced").gauge().value());

        // When its session ends: it stands by, and shows none of the state (the active one does)
        metrics.standingBy();

        assertEquals(0.0, registry.get("berth.scheduler.leader").gauge().value());
        assertNull(registry.find("berth.apps").gauge());
        assertNull(registry.find("berth.queue.waiting").gauge());
        assertNull(registry.find("berth.tasks").gauge());
    }

    @Test
    void everyDeploymentOutcomeAndDeadLetterTopicIsCountedFromZeroSoThatTheFirstIsAnIncrease() {
        for (String outcome : List.of("succeeded", "failed", "rolled_back", "cancelled", "superseded")) {
            assertEquals(0.0, registry.get("berth.deployments").tag("outcome", outcome).counter().count(), outcome);
        }
        assertEquals(0.0, registry.get(DeadLetters.METRIC).tag("topic", Topics.APP_COMMANDS.name()).counter().count());
        assertEquals(0.0, registry.get(DeadLetters.METRIC).tag("topic", Topics.TASK_STATUS.name()).counter().count());
        assertNull(registry.find(DeadLetters.METRIC).tag("topic", Topics.DEAD_LETTER.name()).counter(),
                "nothing is set aside from the dead-letter topic itself");

        metrics.deadLettered(Topics.APP_COMMANDS.name());
        assertEquals(1.0, registry.get(DeadLetters.METRIC).tag("topic", Topics.APP_COMMANDS.name()).counter().count());
    }

    @Test
    void aBatchsPlacementsCountOnlyOnceItIsCommitted() {
        // Given a batch that decided one launch for team-a
        SchedulerMetrics.Batch dropped = metrics.batch();
        dropped.decided(2_000_000, List.of(launch("/team-a/web")));
        assertNull(registry.find("berth.placements").counter(), "a batch not committed placed nothing");

        // When another such batch of three input records commits
        SchedulerMetrics.Batch batch = metrics.batch();
        batch.decided(3_000_000, List.of(launch("/team-a/web")));
        batch.deadLettered("berth.app-commands");
        batch.committed(3, 5_000_000);

        // Then its placement, its size, its transaction and its dead letter are counted
        assertEquals(1.0, registry.get("berth.placements").tag("team", "team-a").counter().count());
        assertEquals(2, registry.get("berth.placement").timer().count(), "the time to decide is the decision's");
        assertEquals(3.0, registry.get("berth.scheduler.batch.records").summary().totalAmount());
        assertEquals(1, registry.get("berth.scheduler.transaction").timer().count());
        assertEquals(1.0, registry.get("berth.dead.letters").tag("topic", "berth.app-commands").counter().count());
    }

    @Test
    void aDecisionWithoutALaunchIsNoPlacement() {
        SchedulerMetrics.Batch batch = metrics.batch();

        batch.decided(1_000_000, List.of(new Action.RemoveQueue("/team-a/web")));
        batch.committed(1, 1_000_000);

        assertEquals(0, registry.get("berth.placement").timer().count());
        assertTrue(registry.find("berth.placements").counters().isEmpty());
    }

    @Test
    void anEndedDeploymentIsCountedByItsOutcomeOnceItsBatchCommits() {
        // Given a batch that announced one failed, one cancelled and one succeeded deployment, and a step
        SchedulerMetrics.Batch batch = metrics.batch();
        batch.decided(1_000_000, List.of(deployment(EventTypes.DEPLOYMENT_FAILED, "FAILED"),
                deployment(EventTypes.DEPLOYMENT_FAILED, "CANCELLED"),
                deployment(EventTypes.DEPLOYMENT_SUCCEEDED, "SUCCEEDED"),
                deployment(EventTypes.DEPLOYMENT_STEP, "RUNNING")));
        assertEquals(0.0, registry.find("berth.deployments").counters().stream().mapToDouble(c -> c.count()).sum(),
                "nothing before the commit");

        // When it commits
        batch.committed(1, 1_000_000);

        // Then each ended one counts under its own outcome, and a step is no end
        assertEquals(1.0, registry.get("berth.deployments").tag("outcome", "failed").counter().count());
        assertEquals(1.0, registry.get("berth.deployments").tag("outcome", "cancelled").counter().count());
        assertEquals(1.0, registry.get("berth.deployments").tag("outcome", "succeeded").counter().count());
        assertEquals(3.0, registry.find("berth.deployments").counters().stream().mapToDouble(c -> c.count()).sum());
    }

    private static Action deployment(String type, String state) {
        return new Action.Announce(CloudEvent.of("berth-scheduler", type, "deployments/d-1", "team-a",
                Instant.now(), Map.of("deploymentId", "d-1", "state", state)));
    }

    private static Action launch(String appId) {
        return new Action.SendToNode(LaunchTask.of("node-1", appId + ".0", appId, 1,
                new TaskSpec("sleep 100", null, Map.of(), Map.of(), 0.1, 16, 0, List.of()), null));
    }
}
