package dev.berth.gateway.auth;

import java.util.Collection;

/**
 * What a caller may do, from the realm roles in its token. Each role includes the ones before it
 * (the realm makes them composite, and {@link #highest} does not rely on that either).
 */
public enum Role {
    /** A valid token carrying none of Berth's roles: it may do nothing. */
    NONE(null),
    /** Reads the apps, tasks, volumes, queue and events of its teams, and the nodes. */
    VIEWER("berth-viewer"),
    /** Also creates, changes and deletes the apps of its teams. */
    OPERATOR("berth-operator"),
    /** Everything, in every team: nodes (drain), volume deletion and wipes too. */
    ADMIN("berth-admin");

    private final String realmRole;

    Role(String realmRole) {
        this.realmRole = realmRole;
    }

    /** The Keycloak realm role that grants it. */
    public String realmRole() {
        return realmRole;
    }

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    /** The strongest role among a token's realm roles. */
    public static Role highest(Collection<String> realmRoles) {
        Role best = NONE;
        for (Role role : values()) {
            if (role.realmRole != null && realmRoles.contains(role.realmRole)) {
                best = role;
            }
        }
        return best;
    }
}
