package dev.berth.gateway.events;

import java.util.Set;

/**
 * The teams whose events a caller may see. Until authentication arrives every caller sees
 * {@link #all()}; the auth step will build {@link #only(Set)} from the caller's token (its groups)
 * and hand it to {@link EventFilter}.
 */
public sealed interface VisibleTeams {
    /** Whether an event of {@code team} may be shown; {@code team} is null for events of no team (nodes). */
    boolean sees(String team);

    static VisibleTeams all() {
        return All.INSTANCE;
    }

    static VisibleTeams only(Set<String> teams) {
        return new Only(Set.copyOf(teams));
    }

    /** Every team: an administrator, or (for now) anyone. */
    enum All implements VisibleTeams {
        INSTANCE;

        @Override
        public boolean sees(String team) {
            return true;
        }
    }

    /**
     * These teams, and events that belong to no team (a node came up or was drained: cluster-wide
     * facts, as visible as the node list is).
     */
    record Only(Set<String> teams) implements VisibleTeams {
        @Override
        public boolean sees(String team) {
            return team == null || teams.contains(team);
        }
    }
}
