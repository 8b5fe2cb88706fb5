package dev.berth.gateway.auth;

import dev.berth.gateway.GatewayConfig;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Makes the {@link Caller} of each request from its verified token: roles from the realm roles
 * quarkus-oidc found ({@code realm_access.roles}), teams from the groups claim. Keycloak writes group
 * paths ({@code /team-a}) or names ({@code team-a}) depending on its mapper; both mean team-a.
 */
@ApplicationScoped
public class CallerProducer {
    @Inject
    SecurityIdentity identity;

    @Inject
    GatewayConfig config;

    @Produces
    @RequestScoped
    Caller caller() {
        if (!config.auth().enabled()) {
            return Caller.of("anyone (authentication is off)", Role.ADMIN, Set.of());
        }
        if (identity.isAnonymous()) {
            // Only reachable on the paths left open (health); every /v1 path is refused without a token first.
            return Caller.of("anonymous", Role.NONE, Set.of());
        }
        Set<String> teams = identity.getPrincipal() instanceof JsonWebToken jwt ? teams(jwt.getClaim(config.auth().teamsClaim()))
                : Set.of();
        return Caller.of(identity.getPrincipal().getName(), Role.highest(identity.getRoles()), teams);
    }

    static Set<String> teams(Object claim) {
        Set<String> teams = new LinkedHashSet<>();
        if (claim instanceof Collection<?> values) {
            values.forEach(v -> add(teams, v));
        } else if (claim != null) {
            add(teams, claim);
        }
        return teams;
    }

    private static void add(Set<String> teams, Object value) {
        String name = value instanceof JsonString s ? s.getString() : value.toString();
        name = name.strip();
        if (name.startsWith("/")) {
            // A group path: the team is the group itself, at the top of the tree.
            name = name.substring(1);
        }
        if (!name.isEmpty() && !name.contains("/")) {
            teams.add(name);
        }
    }
}
