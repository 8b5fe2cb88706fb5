package dev.berth.gateway.me;

import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/**
 * {@code GET /v1/me}: who the gateway takes the caller to be — name, role, teams and what that role
 * may do. A client (the web UI, the command line) shows or hides its actions by this answer, so the
 * gateway's reading of the token is the only one: a client never decodes a token's roles itself.
 */
@Path("/v1/me")
public class MeResource {
    @Inject
    Caller caller;

    /** The answer: {@code may} lists the kinds of change the role allows, for clients to offer. */
    public record Me(String name, String role, List<String> teams, boolean allTeams, List<String> may) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Me me() {
        Role role = caller.role();
        List<String> may = switch (role) {
            case NONE -> List.of();
            case VIEWER -> List.of("read");
            case OPERATOR -> List.of("read", "change-apps");
            case ADMIN -> List.of("read", "change-apps", "run-as-root", "wipe-volumes", "delete-volumes", "drain-nodes");
        };
        return new Me(caller.name(), role.name(), caller.teams().stream().sorted().toList(), role == Role.ADMIN, may);
    }
}
