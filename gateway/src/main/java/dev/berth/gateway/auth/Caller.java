package dev.berth.gateway.auth;

import dev.berth.contracts.app.AppIds;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;

import java.util.Set;
import java.util.TreeSet;

/**
 * Who is calling and what they may touch: the strongest Berth role in their token and the teams
 * (Keycloak groups) they belong to. An app belongs to the team named by the first segment of its id
 * ({@code /team-a/web} is team-a's); an app at the root ({@code /web}) belongs to no team, so only an
 * administrator sees it.
 *
 * <p>Someone outside an app's team is told it does not exist (404), whatever their role, so names
 * of other teams' apps never leak; inside it, a role too weak for the change gets 403.
 */
public interface Caller {
    /** The user an app may run as only when an administrator set it so. */
    String ROOT = "root";

    /** The token's user (or service account). */
    String name();

    Role role();

    /** The teams (Keycloak groups) the caller is in. */
    Set<String> teams();

    static Caller of(String name, Role role, Set<String> teams) {
        return new Token(name, role, Set.copyOf(teams));
    }

    /** What one token says. (An interface over a record so that the request-scoped bean can be proxied.) */
    record Token(String name, Role role, Set<String> teams) implements Caller {
    }

    /** Whether the app exists for this caller at all. */
    default boolean sees(String appId) {
        return role() == Role.ADMIN || (role() != Role.NONE && teams().contains(AppIds.team(appId)));
    }

    /** The teams whose events this caller is sent. */
    default VisibleTeams visibleTeams() {
        return role() == Role.ADMIN ? VisibleTeams.all() : VisibleTeams.only(teams());
    }

    /** Reading anything at all needs one of Berth's roles. */
    default void mustRead() {
        if (role() == Role.NONE) {
            throw forbidden("your token carries none of Berth's roles (berth-viewer, berth-operator, berth-admin); "
                    + "ask an administrator to grant you one");
        }
    }

    /**
     * Changing an app the caller {@link #sees} needs an operator. Call after the 404 for apps it does
     * not see, so a viewer learns nothing about other teams' apps from a 403.
     */
    default void mustChange(String appId, String change) {
        mustRead();
        if (!role().atLeast(Role.OPERATOR)) {
            throw forbidden("you are a viewer and may only read; to " + change + " " + appId
                    + " you need the berth-operator role in team " + AppIds.team(appId));
        }
    }

    /**
     * Creating an app needs an operator of the team its id names. Refused the same way whether or not
     * such an app exists, so this does not tell anyone which names another team uses.
     */
    default void mustCreate(String appId) {
        mustChange(appId, "create");
        if (!sees(appId)) {
            String team = AppIds.team(appId);
            throw forbidden((team.isEmpty()
                    ? "an app at the root (" + appId + ") belongs to no team; only an administrator may create one"
                    : appId + " belongs to team " + team + ", which you are not in")
                    + "; your teams: " + (teams().isEmpty() ? "none" : String.join(", ", new TreeSet<>(teams())))
                    + ". Name the app /<team>/<name>");
        }
    }

    /**
     * Setting an app's definition to one that runs as {@code root} (create, replace, roll back to it)
     * needs an administrator, whatever the team: a root task can do anything on its node, which no
     * team's operator may decide alone. (Nodes must also allow root, in their agents' settings; the
     * scheduler keeps the app waiting where they do not.) Call after the caller's right to make the
     * change at all was checked, so a viewer and an outsider learn nothing new from this 403. A user is
     * a name here (the app parser accepts nothing else): {@code root} is the one name of uid 0 this can
     * know of; other names for uid 0 are each node's business to refuse.
     */
    default void mustRunAs(String appId, String user) {
        if (ROOT.equals(user) && role() != Role.ADMIN) {
            throw forbidden("running " + appId + " as root needs an administrator (the berth-admin role); "
                    + "leave user out to run as the nodes' default user, or name an unprivileged user the "
                    + "nodes allow");
        }
    }

    /** Node administration, volume deletion and wipes. */
    default void mustAdminister(String what) {
        mustRead();
        if (role() != Role.ADMIN) {
            throw forbidden(what + " needs the berth-admin role");
        }
    }

    static ProblemException forbidden(String detail) {
        return new ProblemException(Problem.of(403, "forbidden", "Forbidden", detail));
    }
}
