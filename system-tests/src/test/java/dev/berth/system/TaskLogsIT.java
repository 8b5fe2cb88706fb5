package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task's logs through the gateway, served by the real agent that runs it: a tail of each stream,
 * and a follow that sees lines as the task writes them.
 */
class TaskLogsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String NODE = "logs-node-1";
    // Ended tasks' sandboxes are kept 30 s (24 h by default), checked every second, to see them go.
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
            .agent(NODE, "zone=a", java.util.Map.of("BERTH_AGENT_SANDBOX_RETENTION", "30s",
                    "BERTH_AGENT_USAGE_INTERVAL", "1s"));
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNode() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE);
    }

    @Test
    void anEndedTasksLogsStayReadableUntilItsAgentsRetentionRemovesThem() {
        // Given a task that says goodbye and fails, once (a long backoff)
        String appId = "/logs/goodbye";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "echo goodbye; echo failing >&2; exit 3", "cpus": 0.1, "mem": 32,
                 "portDefinitions": [], "backoffSeconds": 300}""".formatted(appId)).status());

        // Then, ended, it is listed with its exit code, and its output can still be read
        JsonNode ended = await(appId + " ended").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/tasks?app="
                + appId + "&state=terminal").json().path("tasks"), tasks -> tasks.size() == 1);
        String taskId = ended.get(0).path("id").asText();
        assertEquals("FAILED", ended.get(0).path("state").asText());
        assertEquals(3, ended.get(0).path("exitCode").asInt());
        assertEquals("goodbye\n", Http.get(gateway + "/v1/tasks/" + taskId + "/logs").body());
        assertEquals("failing\n", Http.get(gateway + "/v1/tasks/" + taskId + "/logs?stream=stderr").body());

        // And once the agent's retention has passed, its sandbox is gone and the answer says why
        Http.Response gone = await(taskId + " removed by the retention").atMost(Duration.ofSeconds(120))
                .until(() -> Http.get(gateway + "/v1/tasks/" + taskId + "/logs"), r -> r.status() == 404);
        assertTrue(gone.body().contains("sandbox-retention"), gone.body());
        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        await("app gone").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
    }

    @Test
    void aTasksLogsAreTailedAndFollowedThroughTheGateway() throws Exception {
        // Given a task that writes a line to stderr once and a numbered line to stdout every 100 ms
        String appId = "/logs/counter";
        assertEquals(201, Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "echo started >&2; i=0; while :; do i=$((i+1)); echo line $i; sleep 0.1; done",
                 "cpus": 0.1, "mem": 32, "portDefinitions": []}""".formatted(appId)).status());
        String taskId = awaitRunningTask(appId);

        // Then its last lines can be read, from either stream
        await("ten lines written").atMost(DEADLINE).until(() ->
                Http.get(gateway + "/v1/tasks/" + taskId + "/logs?tail=10").body().lines().count() == 10);
        List<String> tail = Http.get(gateway + "/v1/tasks/" + taskId + "/logs?tail=3").body().lines().toList();
        assertEquals(3, tail.size());
        assertTrue(tail.stream().allMatch(line -> line.matches("line \\d+")), String.valueOf(tail));
        assertEquals("started\n", Http.get(gateway + "/v1/tasks/" + taskId + "/logs?stream=stderr").body());

        // And a follow streams lines written after it began, in order
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> follow = client.send(HttpRequest.newBuilder(
                URI.create(gateway + "/v1/tasks/" + taskId + "/logs?tail=1&follow=true"))
                        .header("Authorization", Http.adminAuthorization()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, follow.statusCode());
        List<Integer> numbers = new ArrayList<>();
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(follow.body(),
                    StandardCharsets.UTF_8))) {
                String line;
                while (numbers.size() < 20 && (line = lines.readLine()) != null) {
                    numbers.add(Integer.parseInt(line.substring("line ".length())));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        reading.get(30, TimeUnit.SECONDS);
        for (int i = 1; i < numbers.size(); i++) {
            assertEquals(numbers.get(i - 1) + 1, numbers.get(i), "no line lost or repeated: " + numbers);
        }

        // And asking for something that is not there gets a clear answer
        Http.Response unknown = Http.get(gateway + "/v1/tasks/no-such-task/logs");
        assertEquals(404, unknown.status());
        assertEquals(400, Http.get(gateway + "/v1/tasks/" + taskId + "/logs?stream=stdin").status());

        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        await("app gone").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
    }

    private static String awaitRunningTask(String appId) {
        String[] found = new String[1];
        await(appId + " running").atMost(DEADLINE).until(() -> {
            for (JsonNode task : Http.get(gateway + "/v1/apps" + appId).json().path("tasks")) {
                if (task.path("state").asText().equals("RUNNING")) {
                    found[0] = task.path("id").asText();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
