package dev.berth.gateway.events;

import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.gateway.auth.VisibleTeams;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventFilterTest {
    private static final CloudEvent TEAM_A_TASK = event(EventTypes.TASK_STATE, "tasks/team-a_web.1", "team-a");
    private static final CloudEvent TEAM_AB_TASK = event(EventTypes.TASK_STATE, "tasks/team-ab_web.1", "team-ab");
    private static final CloudEvent TEAM_A_APP = event(EventTypes.APP_CREATED, "apps/team-a/web", "team-a");
    private static final CloudEvent NODE_UP = event(EventTypes.NODE_UP, "nodes/node-1", null);

    @Test
    void withNothingAskedForEveryVisibleEventPasses() {
        EventFilter filter = EventFilter.everything(VisibleTeams.all());

        assertTrue(filter.test(TEAM_A_TASK));
        assertTrue(filter.test(NODE_UP));
    }

    @Test
    void typesMatchByPrefixAndAnyOfSeveralWill() {
        EventFilter tasks = new EventFilter(List.of("dev.berth.task."), List.of(), List.of(), VisibleTeams.all());
        EventFilter appsOrNodes = new EventFilter(List.of("dev.berth.app.", "dev.berth.node."), List.of(), List.of(),
                VisibleTeams.all());

        assertTrue(tasks.test(TEAM_A_TASK));
        assertFalse(tasks.test(TEAM_A_APP));
        assertTrue(appsOrNodes.test(TEAM_A_APP));
        assertTrue(appsOrNodes.test(NODE_UP));
        assertFalse(appsOrNodes.test(TEAM_A_TASK));
    }

    @Test
    void aTeamMatchesExactlySoTeamADoesNotGetTeamAB() {
        EventFilter teamA = new EventFilter(List.of(), List.of("team-a"), List.of(), VisibleTeams.all());

        assertTrue(teamA.test(TEAM_A_TASK));
        assertFalse(teamA.test(TEAM_AB_TASK));
        assertFalse(teamA.test(NODE_UP));
    }

    @Test
    void subjectsMatchByPrefix() {
        EventFilter appsOfTeamA = new EventFilter(List.of(), List.of(), List.of("apps/team-a/"), VisibleTeams.all());

        assertTrue(appsOfTeamA.test(TEAM_A_APP));
        assertFalse(appsOfTeamA.test(TEAM_A_TASK));
    }

    @Test
    void blankValuesAskForNothingInParticular() {
        EventFilter filter = new EventFilter(List.of(""), List.of(" "), null, VisibleTeams.all());

        assertTrue(filter.test(TEAM_A_TASK));
    }

    @Test
    void aCallerNeverGetsAnotherTeamsEventsWhateverItAsksFor() {
        VisibleTeams teamA = VisibleTeams.only(Set.of("team-a"));
        EventFilter asksForTeamAB = new EventFilter(List.of(), List.of("team-ab"), List.of(), teamA);
        EventFilter asksForAll = EventFilter.everything(teamA);

        assertFalse(asksForTeamAB.test(TEAM_AB_TASK));
        assertFalse(asksForAll.test(TEAM_AB_TASK));
        assertTrue(asksForAll.test(TEAM_A_TASK));
        assertTrue(asksForAll.test(NODE_UP), "events of no team (nodes) are for every caller");
    }

    private static CloudEvent event(String type, String subject, String team) {
        return CloudEvent.of("/berth/scheduler", type, subject, team, Instant.now(), Map.of());
    }
}
