package dev.berth.cli.volume;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.api.ApiPath;
import dev.berth.cli.api.Answer;
import dev.berth.cli.api.Problem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code berth volume delete ID}: destroys a RELEASED volume and its data. The gateway answers 200
 * once the volume service destroyed it, or 202 when the command is in Kafka but the answer did not
 * come in time: both are success here, said differently, since the volume will be deleted either way.
 */
@Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true,
        description = "Destroy a released volume and its data.",
        footerHeading = "%nExample:%n", footer = "  berth volume delete team-a_db.db-2.data")
public final class VolumeDelete implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The volume's id (only a RELEASED one can be deleted).")
    String id;

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        Answer answer = berth.gateway().send("DELETE", ApiPath.of("volumes", id, ""), null);
        if (!answer.ok()) {
            throw Problem.of(answer).failure(berth.gatewayUrl());
        }
        JsonNode volume = answer.json();
        berth.terminal().out().println(answer.status() == 202
                ? "deleting " + id + ": the volume service has the command (state " + volume.path("state").asText() + " for now)"
                : "deleted " + id + " (" + volume.path("state").asText() + ")");
        return 0;
    }
}
