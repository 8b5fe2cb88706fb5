package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import dev.berth.cli.api.Answer;
import dev.berth.cli.api.Gateway;
import dev.berth.cli.deployment.DeploymentShow;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Follows one accepted change of an app to its end, for {@code --wait}. A change that replaces tasks
 * (its version's {@code change} is updated, restarted or rolled-back) is done when its deployment
 * SUCCEEDED and the app runs every instance; one that does not (created, scaled) when the app runs every
 * instance (healthy, if it has checks). A deployment that FAILED or was ROLLED_BACK, or an app crash
 * looping, ends the wait with its reason (exit 4). It reads the app and its deployments by polling
 * rather than the event stream: two small GETs a half second are cheap, and nothing can be missed
 * between the change and the first read.
 */
final class DeploymentWatch {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Set<String> REPLACES_TASKS = Set.of("updated", "restarted", "rolled-back");
    private static final Set<String> ENDED_BADLY = Set.of("FAILED", "ROLLED_BACK", "CANCELLED", "SUPERSEDED");
    private final Gateway gateway;
    private final PrintWriter out;

    DeploymentWatch(Gateway gateway, PrintWriter out) {
        this.gateway = gateway;
        this.out = out;
    }

    /** Returns once version {@code version} of the app runs; throws a failure (exit 4) otherwise. */
    void await(String appId, long version, Instant deadline) {
        boolean expectsDeployment = REPLACES_TASKS.contains(changeOf(appId, version));
        String shown = null;
        while (true) {
            JsonNode app = gateway.get(AppPath.of(appId, ""));
            JsonNode deployment = expectsDeployment ? deploymentOf(appId, version) : null;
            String line;
            if (deployment != null) {
                String state = deployment.path("state").asText();
                if (ENDED_BADLY.contains(state)) {
                    throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, appId + ": deployment " + deployment.path("id").asText()
                            + " " + state + (deployment.hasNonNull("reason") ? ": " + deployment.path("reason").asText() : ""));
                }
                if ("SUCCEEDED".equals(state) && ready(app)) {
                    out.println(appId + ": version " + version + " deployed, " + running(app));
                    return;
                }
                line = appId + ": deployment " + state + ", " + DeploymentShow.progress(deployment.path("progress"))
                        + ("PAUSED".equals(state) ? " (" + deployment.path("reason").asText("waits for a promote") + ")" : "");
            } else if (!expectsDeployment && ready(app)) {
                out.println(appId + ": version " + version + " runs, " + running(app));
                return;
            } else if ("CRASH_LOOPING".equals(app.path("status").asText())) {
                JsonNode failure = app.path("lastTaskFailure");
                throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, appId + ": its tasks keep failing (CRASH_LOOPING)"
                        + (failure.isObject() ? ": " + failure.path("message").asText() : ""));
            } else {
                line = appId + ": " + app.path("status").asText() + ", " + running(app);
            }
            if (!line.equals(shown)) {
                out.println(line);
                out.flush();
                shown = line;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, appId + ": not done by the timeout; last seen: " + line);
            }
            pause();
        }
    }

    private String changeOf(String appId, long version) {
        Answer answer = gateway.getAnswer(AppPath.of(appId, "/versions/" + version));
        return answer.ok() ? answer.json().path("change").asText("") : "";
    }

    /** The deployment that rolls out this version (or a later one), newest first; null before it is recorded. */
    private JsonNode deploymentOf(String appId, long version) {
        JsonNode list = gateway.get("/v1/deployments?limit=5&app=" + AppPath.query(AppPath.id(appId)));
        for (JsonNode deployment : list.path("deployments")) {
            if (deployment.path("toVersion").asLong() >= version) {
                return deployment;
            }
        }
        return null;
    }

    static boolean ready(JsonNode app) {
        int instances = app.path("instances").asInt();
        boolean checked = app.path("healthChecks").isArray() && !app.path("healthChecks").isEmpty();
        return "RUNNING".equals(app.path("status").asText())
                && app.path("tasksRunning").asInt() >= instances
                && (!checked || app.path("tasksHealthy").asInt() >= instances);
    }

    private static String running(JsonNode app) {
        String text = app.path("tasksRunning").asInt() + "/" + app.path("instances").asInt() + " running";
        boolean checked = app.path("healthChecks").isArray() && !app.path("healthChecks").isEmpty();
        return checked ? text + ", " + app.path("tasksHealthy").asInt() + " healthy" : text;
    }

    // The pace of polling the API, not a wait for an outcome: the outcome is what each poll reads.
    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.FAILED_OR_TIMED_OUT, "interrupted");
        }
    }
}
