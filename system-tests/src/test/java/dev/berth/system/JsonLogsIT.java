package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code BERTH_LOG_FORMAT=json} (docs/observability.md#logs) over real service processes: every line
 * an agent and a gateway write is one JSON object naming the service, the agent's lines its node, and
 * a task's changes its task and app ids.
 */
class JsonLogsIT {
    private static final String NODE = "jl-node-1";
    private static final Map<String, String> JSON = Map.of("BERTH_LOG_FORMAT", "json");
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1).agent(NODE, "zone=a", JSON);

    @Test
    void anAgentAndAGatewayWriteOneJsonObjectPerLineWithTheirIdsAsFields() throws Exception {
        BerthCluster cluster = berth.cluster();
        ServiceProcess gateway = cluster.startGateway("gateway-json-logs", JSON);
        cluster.awaitNodesListed(Duration.ofSeconds(60), NODE);

        // When an app's task starts on the agent
        Http.Response created = Http.postJson(gateway.url() + "/v1/apps", """
                {"id": "/json-logs/sleeper", "cmd": "sleep 600", "cpus": 0.01, "mem": 16, "portDefinitions": []}""");
        assertEquals(201, created.status(), created.body());
        String taskId = await("the task running").atMost(Duration.ofSeconds(60))
                .until(() -> cluster.running("/json-logs/sleeper").keySet().stream().findFirst().orElse(null),
                        id -> id != null);

        // Then the agent logged its change to RUNNING as JSON, with the node, task and app as fields
        JsonNode running = await("the agent's line for the task's RUNNING").atMost(Duration.ofSeconds(30))
                .until(() -> jsonLines(cluster.agent(NODE).log()).stream()
                        .filter(line -> taskId.equals(line.path("mdc").path("taskId").asText()))
                        .filter(line -> line.path("message").asText().contains("RUNNING"))
                        .findFirst().orElse(null), line -> line != null);
        assertEquals("/json-logs/sleeper", running.path("mdc").path("appId").asText(), running.toString());
        assertEquals(NODE, running.path("nodeId").asText(), running.toString());
        assertEquals("berth-node-agent", running.path("service").asText(), running.toString());
        assertEquals("INFO", running.path("level").asText(), running.toString());
        assertTrue(running.hasNonNull("timestamp"), running.toString());

        // And every line of the gateway's log is JSON too, naming it
        List<JsonNode> gatewayLines = jsonLines(gateway.log());
        assertTrue(gatewayLines.size() > 3, "the gateway logged its start: " + gatewayLines);
        gatewayLines.forEach(line -> assertEquals("berth-gateway", line.path("service").asText(), line.toString()));
    }

    /** Every line of the file, each parsed as JSON: a line that is not JSON fails the test, named. */
    private static List<JsonNode> jsonLines(Path log) {
        List<JsonNode> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    lines.add(JsonCodec.mapper().readTree(line));
                } catch (IOException e) {
                    throw new AssertionError("a line of " + log + " is not JSON: " + line, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
