package dev.berth.gateway.view;

import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.Ids;
import dev.berth.contracts.messages.Message;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the view keeps deployments: which one is under way for an app, the order of the list, waiting for a change. */
class ClusterViewDeploymentsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T09:00:00Z");
    private final ClusterView view = new ClusterView();

    @Test
    void anAppsDeploymentUnderWayIsTheUnfinishedOneUntilItEnds() {
        // Given a running deployment of /a/web
        view.putDeployment(deployment("d1", "/a/web", DeploymentState.RUNNING, T0));
        assertEquals("d1", view.activeDeployment("/a/web").orElseThrow().deploymentId());

        // When it succeeds, Then the app has none under way, and the deployment is still listed
        view.putDeployment(deployment("d1", "/a/web", DeploymentState.SUCCEEDED, T0));
        assertEquals(Optional.empty(), view.activeDeployment("/a/web"));
        assertEquals(List.of("d1"), ids(view.deployments()));
    }

    @Test
    void aForcedChangeEndsTheOldOneAndTheNewOneIsUnderWayWhateverOrderTheirRecordsComeIn() {
        // Given d1 running, When d2 starts and then d1 is read as superseded (or the other way round)
        view.putDeployment(deployment("d1", "/a/web", DeploymentState.RUNNING, T0));
        view.putDeployment(deployment("d2", "/a/web", DeploymentState.RUNNING, T0.plusSeconds(5)));
        view.putDeployment(deployment("d1", "/a/web", DeploymentState.SUPERSEDED, T0));

        // Then d2 is the one under way
        assertEquals("d2", view.activeDeployment("/a/web").orElseThrow().deploymentId());
    }

    @Test
    void aTombstoneRemovesTheDeploymentAndWhatIsUnderWay() {
        view.putDeployment(deployment("d1", "/a/web", DeploymentState.PAUSED, T0));

        view.removeDeployment("d1");

        assertEquals(Optional.empty(), view.deployment("d1"));
        assertEquals(Optional.empty(), view.activeDeployment("/a/web"));
    }

    @Test
    void deploymentsAreListedNewestFirst() {
        view.putDeployment(deployment("d1", "/a/web", DeploymentState.SUCCEEDED, T0));
        view.putDeployment(deployment("d3", "/a/api", DeploymentState.RUNNING, T0.plusSeconds(60)));
        view.putDeployment(deployment("d2", "/a/web", DeploymentState.FAILED, T0.plusSeconds(30)));

        assertEquals(List.of("d3", "d2", "d1"), ids(view.deployments()));
    }

    @Test
    void awaitingADeploymentReturnsAsSoonAsItChanges() throws InterruptedException {
        // Given a paused deployment, and a writer that promotes it a little later
        view.putDeployment(deployment("d1", "/a/web", DeploymentState.PAUSED, T0));
        Thread writer = new Thread(() -> view.putDeployment(deployment("d1", "/a/web", DeploymentState.RUNNING, T0)));

        // When a reader waits for it to run again
        long start = System.nanoTime();
        writer.start();
        Optional<Deployment> seen = view.awaitDeployment("d1",
                d -> d.isPresent() && d.get().state() == DeploymentState.RUNNING, Duration.ofSeconds(10));
        writer.join();

        // Then it sees the change, long before its deadline
        assertEquals(DeploymentState.RUNNING, seen.orElseThrow().state());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0);
    }

    private static List<String> ids(List<Deployment> deployments) {
        return deployments.stream().map(Deployment::deploymentId).toList();
    }

    private static Deployment deployment(String id, String appId, DeploymentState state, Instant startedAt) {
        return new Deployment(Ids.newId(), Message.SCHEMA_VERSION, Instant.now(), null, id, appId, 1, 2, null, null,
                state, null, List.of(), 0, null, startedAt, startedAt.plusSeconds(600),
                state.isTerminal() ? startedAt.plusSeconds(10) : null, "update");
    }
}
