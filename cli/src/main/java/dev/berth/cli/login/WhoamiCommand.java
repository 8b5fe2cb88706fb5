package dev.berth.cli.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.output.ShowCommand;
import dev.berth.cli.output.Terminal;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code berth whoami}: who the gateway takes the caller to be ({@code GET /v1/me}). The gateway's
 * reading of the token is the only one: the command line never decodes a token's roles itself.
 */
@Command(name = "whoami", mixinStandardHelpOptions = true,
        description = "Show who the gateway takes you to be: name, role and teams.",
        footerHeading = "%nExample:%n", footer = "  berth whoami -o json")
public final class WhoamiCommand extends ShowCommand {
    @Override
    protected String path() {
        return "/v1/me";
    }

    @Override
    protected String describe(JsonNode me, Terminal terminal) {
        return describe(me) + "\n";
    }

    /** "otto (OPERATOR, teams: team-a)"; an administrator's teams are "all". */
    static String describe(JsonNode me) {
        List<String> teams = new ArrayList<>();
        me.path("teams").forEach(team -> teams.add(team.asText()));
        String teamText = me.path("allTeams").asBoolean(false) ? "all" : teams.isEmpty() ? "none" : String.join(", ", teams);
        return me.path("name").asText("?") + " (" + me.path("role").asText("?") + ", teams: " + teamText + ")";
    }
}
