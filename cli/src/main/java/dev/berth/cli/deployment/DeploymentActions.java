package dev.berth.cli.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.api.ApiPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * What a person does to a deployment under way: promote one paused on healthy canaries, or stop one
 * and bring back the definition it started from (rollback; cancel is the same request as the API's
 * {@code DELETE}, named as people coming from other tools look for it). Each answers once the
 * scheduler accepted the command, with the deployment's state then.
 */
public final class DeploymentActions {
    private DeploymentActions() {
    }

    /** The shared part: the deployment's id, one request, one line saying what became of it. */
    abstract static class Action implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "The deployment's id (berth deployment list shows them).")
        String id;

        private final String done;

        Action(String done) {
            this.done = done;
        }

        abstract JsonNode send(Berth berth, String path);

        @Override
        public Integer call() {
            Berth berth = Berth.of(spec);
            JsonNode deployment = send(berth, ApiPath.of("deployments", id, ""));
            berth.terminal().out().println(done + " " + id + " of " + deployment.path("appId").asText()
                    + ": " + deployment.path("state").asText());
            return 0;
        }
    }

    /** {@code berth deployment promote ID}. */
    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Continue a deployment paused with healthy canaries.",
            footerHeading = "%nExample:%n", footer = "  berth deployment promote 2f0c…")
    public static final class Promote extends Action {
        public Promote() {
            super("promoted");
        }

        @Override
        JsonNode send(Berth berth, String path) {
            return berth.gateway().post(path + "/promote", null);
        }
    }

    /** {@code berth deployment rollback ID}. */
    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Stop a running or paused deployment and revert the app to the version it started from.",
            footerHeading = "%nExample:%n", footer = "  berth deployment rollback 2f0c…")
    public static final class Rollback extends Action {
        public Rollback() {
            super("rolled back");
        }

        @Override
        JsonNode send(Berth berth, String path) {
            return berth.gateway().post(path + "/rollback", null);
        }
    }

    /** {@code berth deployment cancel ID}: {@code DELETE /v1/deployments/{id}}; stopping a deployment always reverts it. */
    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Stop a deployment (the same as rollback: its starting definition comes back).",
            footerHeading = "%nExample:%n", footer = "  berth deployment cancel 2f0c…")
    public static final class Cancel extends Action {
        public Cancel() {
            super("cancelled");
        }

        @Override
        JsonNode send(Berth berth, String path) {
            return berth.gateway().delete(path);
        }
    }
}
