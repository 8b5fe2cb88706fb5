package dev.berth.gateway.auth;

import java.util.Set;

/**
 * The teams whose events a caller may see, decided here in {@code auth/} beside the rest of what a caller
 * may touch: {@link Caller#visibleTeams()} gives an administrator {@link #all()} and anyone else
 * {@link #only(Set)} their token's teams (its groups); the event stream's filter only applies it.
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

    /** Every team: an administrator. */
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
