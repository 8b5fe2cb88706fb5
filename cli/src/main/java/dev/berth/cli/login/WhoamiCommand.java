package dev.berth.cli.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.output.Json;
import dev.berth.cli.output.OutputFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code berth whoami}: who the gateway takes the caller to be ({@code GET /v1/me}). The gateway's
 * reading of the token is the only one: the command line never decodes a token's roles itself.
 */
@Command(name = "whoami", mixinStandardHelpOptions = true,
        description = "Show who the gateway takes you to be: name, role and teams.",
        footerHeading = "%nExample:%n", footer = "  berth whoami -o json")
public final class WhoamiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        JsonNode me = berth.gateway().get("/v1/me");
        berth.terminal().out().println(output.json() ? Json.pretty(me) : describe(me));
        return 0;
    }

    /** "otto (OPERATOR, teams: team-a)"; an administrator's teams are "all". */
    static String describe(JsonNode me) {
        List<String> teams = new ArrayList<>();
        me.path("teams").forEach(team -> teams.add(team.asText()));
        String teamText = me.path("allTeams").asBoolean(false) ? "all" : teams.isEmpty() ? "none" : String.join(", ", teams);
        return me.path("name").asText("?") + " (" + me.path("role").asText("?") + ", teams: " + teamText + ")";
    }
}
