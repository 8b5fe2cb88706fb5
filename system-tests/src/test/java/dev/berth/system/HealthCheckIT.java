package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health checks over real processes: for each kind, a task turns healthy, then its check starts to
 * fail (the test drops a file named {@code sick} in its sandbox), the agent reports it unhealthy,
 * and after {@code maxConsecutiveFailures} the scheduler kills it and a fresh task takes its place.
 */
class HealthCheckIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String NODE = "hc-node-1";
    /**
     * A small server on $PORT0: in mode http it answers 500 instead of 200 once {@code sick} exists;
     * in mode tcp it stops listening then.
     */
    private static final String SERVER = """
            import os, threading, time, http.server
            class Health(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(500 if os.path.exists('sick') else 200)
                    self.end_headers()
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT0'])), Health)
            if os.environ['MODE'] == 'http':
                server.serve_forever()
            threading.Thread(target=server.serve_forever, daemon=True).start()
            while not os.path.exists('sick'):
                time.sleep(0.1)
            server.shutdown()
            server.server_close()
            time.sleep(600)
            """;

    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService().agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNode() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP", "TCP", "COMMAND"})
    void aTaskWhoseCheckKeepsFailingIsReplaced(String protocol) {
        // Given an app with one check of this kind, counting failures from the first pass on
        String appId = "/health/" + protocol.toLowerCase();
        assertEquals(201, Http.postJson(gateway + "/v1/apps", app(appId, protocol)).status());
        String first = awaitHealthyTask(appId, Optional.empty());

        // When its check starts to fail
        touch(sandboxOf(first).resolve("sick"));

        // Then another task takes its place and turns healthy (its sandbox has no such file)
        String second = awaitHealthyTask(appId, Optional.of(first));
        assertNotEquals(first, second);
        // and the agent had said why: the failures in a row reached the limit
        await("the exhausted report on the topic").atMost(DEADLINE).until(() -> exhaustedReport(first).isPresent());
        TaskStatus exhausted = exhaustedReport(first).orElseThrow();
        assertTrue(exhausted.reason().startsWith(TaskStatus.HEALTH_CHECK_FAILED), exhausted.reason());
        assertEquals(2, exhausted.health().consecutiveFailures());

        assertEquals(200, Http.delete(gateway + "/v1/apps" + appId).status());
        await("app gone").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
    }

    private static String app(String appId, String protocol) {
        ObjectNode app = JsonCodec.mapper().createObjectNode();
        app.put("id", appId).put("cpus", 0.2).put("mem", 64).put("instances", 1);
        ObjectNode check = JsonCodec.mapper().createObjectNode().put("protocol", protocol)
                .put("gracePeriodSeconds", 30).put("intervalSeconds", 1).put("timeoutSeconds", 1)
                .put("maxConsecutiveFailures", 2).put("delaySeconds", 0);
        if (protocol.equals("COMMAND")) {
            app.put("cmd", "sleep 600");
            app.putArray("portDefinitions");
            check.putObject("command").put("value", "test ! -e sick");
        } else {
            app.put("cmd", "exec python3 -c \"$SERVER\"");
            app.putObject("env").put("SERVER", SERVER).put("MODE", protocol.toLowerCase());
            check.put("portIndex", 0);
            if (protocol.equals("HTTP")) {
                check.put("path", "/health");
            }
        }
        ArrayNode checks = app.putArray("healthChecks");
        checks.add(check);
        return app.toString();
    }

    /** Waits for a HEALTHY task of the app other than {@code not}, and returns its id. */
    private static String awaitHealthyTask(String appId, Optional<String> not) {
        String[] found = new String[1];
        await(appId + " healthy").atMost(DEADLINE).until(() -> {
            for (JsonNode task : Http.get(gateway + "/v1/apps" + appId).json().path("tasks")) {
                String id = task.path("id").asText();
                if (task.path("state").asText().equals("HEALTHY") && not.map(n -> !n.equals(id)).orElse(true)) {
                    found[0] = id;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static Path sandboxOf(String taskId) {
        for (JsonNode task : cluster.agentTasks(NODE)) {
            if (task.path("taskId").asText().equals(taskId)) {
                return Path.of(task.path("sandbox").asText());
            }
        }
        throw new AssertionError("the agent does not know task " + taskId);
    }

    private static Optional<TaskStatus> exhaustedReport(String taskId) {
        for (ConsumerRecord<String, byte[]> record : TopicSnapshot.read(cluster.kafkaBootstrap(), "berth.task-status")) {
            if (!taskId.equals(record.key())) {
                continue;
            }
            try {
                TaskStatus status = JsonCodec.mapper().readValue(record.value(), TaskStatus.class);
                if (status.health() != null && status.health().exhausted()) {
                    return Optional.of(status);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    private static void touch(Path file) {
        try {
            Files.writeString(file, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
