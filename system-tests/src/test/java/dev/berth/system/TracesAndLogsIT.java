package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.OtlpReceiver;
import dev.berth.testkit.ReceivedSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
import java.util.Optional;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traces and JSON logs (docs/observability.md#traces, #logs) over real service processes, with a real
 * OTLP/HTTP receiver ({@link OtlpReceiver}) as the collector: one POST of an app is one trace from the
 * gateway through the scheduler's transaction and the agent's launch back to the gateway's view of the
 * task running, every span joined to its parent by id across the three services; a node lost and its
 * task replaced is a trace of its own; the events carry the trace as {@code traceparent}; and with
 * {@code BERTH_LOG_FORMAT=json} every line is one JSON object naming the service, node, task, app and
 * trace.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TracesAndLogsIT {
    private static final String NODE_1 = "tl-node-1";
    private static final String NODE_2 = "tl-node-2";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final OtlpReceiver OTLP = OtlpReceiver.start();
    private static final Map<String, String> TRACED_JSON = Map.of("BERTH_LOG_FORMAT", "json",
            "BERTH_OTLP_ENDPOINT", OTLP.endpoint());
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1)
            .schedulerEnv("BERTH_OTLP_ENDPOINT", OTLP.endpoint())
            .agent(NODE_1, "zone=a", TRACED_JSON)
            .agent(NODE_2, "zone=b", TRACED_JSON);
    private static ServiceProcess gateway;

    @AfterAll
    static void closeReceiver() {
        OTLP.close();
    }

    private static ServiceProcess gateway() {
        if (gateway == null) {
            gateway = berth.cluster().startGateway("gateway-traced", TRACED_JSON);
            berth.cluster().awaitNodesListed(DEADLINE, NODE_1, NODE_2);
        }
        return gateway;
    }

    @Test
    @Order(10)
    void onePostIsOneTraceFromTheGatewayThroughTheSchedulerAndTheAgentBackToTheGateway() {
        BerthCluster cluster = berth.cluster();
        // When an app is created through the gateway and its task runs
        Http.Response created = Http.postJson(gateway().url() + "/v1/apps", """
                {"id": "/traces/one", "cmd": "sleep 600", "cpus": 0.01, "mem": 16, "portDefinitions": [],
                 "constraints": [["zone", "LIKE", "a"]]}""");
        assertEquals(201, created.status(), created.body());
        String taskId = awaitRunning(cluster, "/traces/one");

        // Then the gateway's span of the request starts a trace
        ReceivedSpan post = await("the gateway's span of POST /v1/apps").atMost(DEADLINE).until(() -> OTLP.spans()
                .stream().filter(s -> s.serviceName().equals("berth-gateway") && s.name().contains("POST")
                        && s.parentSpanId().isEmpty()).findFirst(), Optional::isPresent).get();
        // ... which goes on, parent by parent, through the command sent, the scheduler's decision, the
        // agent's launch, the scheduler's record of RUNNING, and the gateway's view applying it
        // (each service exports on its own schedule: wait until every span's parent has arrived too)
        await("the trace of the POST reaching the gateway's view of the task running").atMost(DEADLINE)
                .until(() -> runningInTheView(OTLP.trace(post.traceId()), taskId).isPresent()
                        && connected(OTLP.trace(post.traceId())));
        List<ReceivedSpan> trace = OTLP.trace(post.traceId());
        ReceivedSpan viewApplied = runningInTheView(trace, taskId).orElseThrow();
        ReceivedSpan running = parentOf(trace, viewApplied);
        assertEquals("berth-scheduler", running.serviceName(), describe(trace));
        assertEquals("RUNNING", running.attributes().get("berth.task.state"), describe(trace));
        ReceivedSpan launch = parentOf(trace, running);
        assertEquals("berth-node-agent", launch.serviceName(), describe(trace));
        assertEquals("launch task", launch.name(), describe(trace));
        assertEquals(taskId, launch.attributes().get("berth.task.id"), describe(trace));
        assertEquals(NODE_1, launch.attributes().get("berth.node.id"), describe(trace));
        ReceivedSpan decided = parentOf(trace, launch);
        assertEquals("berth-scheduler", decided.serviceName(), describe(trace));
        assertEquals("CreateApp", decided.attributes().get("berth.message"), describe(trace));
        ReceivedSpan sent = parentOf(trace, decided);
        assertEquals("berth-gateway", sent.serviceName(), describe(trace));
        assertEquals("send " + Topics.APP_COMMANDS.name(), sent.name(), describe(trace));
        assertEquals(post.spanId(), parentOf(trace, sent).spanId(), describe(trace));
        // and the launch lasted from the command read to the task running
        assertTrue(launch.endNanos() >= launch.startNanos(), describe(trace));

        // And the task's RUNNING event carries the trace as its traceparent
        try (KafkaProbe probe = new KafkaProbe(cluster.kafkaBootstrap())) {
            JsonNode event = JsonCodec.mapper().readTree(KafkaProbe.text(probe.await(Topics.EVENTS.name(),
                    record -> isRunningEvent(record.value(), taskId), DEADLINE)));
            assertTrue(event.path("traceparent").asText().startsWith("00-" + post.traceId() + "-"), event.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        // And the agent's JSON line for the task's RUNNING names the trace, as well as node, task and app
        JsonNode line = await("the agent's line for the task's RUNNING").atMost(DEADLINE)
                .until(() -> jsonLines(cluster.agent(NODE_1).log()).stream()
                        .filter(l -> taskId.equals(l.path("mdc").path("taskId").asText()))
                        .filter(l -> l.path("message").asText().contains("RUNNING"))
                        .findFirst().orElse(null), l -> l != null);
        assertEquals(post.traceId(), line.path("mdc").path("traceId").asText(), line.toString());
        assertEquals("/traces/one", line.path("mdc").path("appId").asText(), line.toString());
        assertEquals(NODE_1, line.path("nodeId").asText(), line.toString());
        assertEquals("berth-node-agent", line.path("service").asText(), line.toString());
        assertEquals("INFO", line.path("level").asText(), line.toString());
        assertTrue(line.hasNonNull("timestamp"), line.toString());
    }

    @Test
    @Order(20)
    void everyLineOfTheGatewayAndTheAgentsIsJsonNamingItsService() {
        gateway();
        List<JsonNode> gatewayLines = jsonLines(gateway.log());
        assertTrue(gatewayLines.size() > 3, "the gateway logged its start: " + gatewayLines);
        gatewayLines.forEach(line -> assertEquals("berth-gateway", line.path("service").asText(), line.toString()));
        for (String node : List.of(NODE_1, NODE_2)) {
            jsonLines(berth.cluster().agent(node).log()).forEach(line -> {
                assertEquals("berth-node-agent", line.path("service").asText(), line.toString());
                assertEquals(node, line.path("nodeId").asText(), line.toString());
            });
        }
    }

    @Test
    @Order(30)
    void aNodeLostAndItsTaskReplacedIsATraceOfItsOwn() {
        BerthCluster cluster = berth.cluster();
        // Given an app's task running on one of the two nodes
        Http.Response created = Http.postJson(gateway().url() + "/v1/apps", """
                {"id": "/traces/survivor", "cmd": "sleep 600", "cpus": 0.01, "mem": 16, "portDefinitions": []}""");
        assertEquals(201, created.status(), created.body());
        String first = awaitRunning(cluster, "/traces/survivor");
        String lostNode = cluster.tasks("/traces/survivor").stream()
                .filter(t -> t.path("id").asText().equals(first)).findFirst().orElseThrow().path("node").asText();
        String otherNode = lostNode.equals(NODE_1) ? NODE_2 : NODE_1;

        // When its agent dies as in a crash
        cluster.agent(lostNode).kill();

        // Then the scheduler's tick that finds the node lost starts a trace, in which the task's
        // replacement is launched on the other node
        ReceivedSpan replacement = await("the replacement's launch, in the trace of the node lost").atMost(DEADLINE)
                .until(() -> OTLP.spans().stream().filter(s -> s.name().equals("launch task")
                        && "/traces/survivor".equals(s.attributes().get("berth.app.id"))
                        && !first.equals(s.attributes().get("berth.task.id"))
                        && connected(OTLP.trace(s.traceId()))).findFirst(), Optional::isPresent).get();
        List<ReceivedSpan> trace = OTLP.trace(replacement.traceId());
        ReceivedSpan tick = parentOf(trace, replacement);
        assertEquals("scheduler tick", tick.name(), describe(trace));
        assertEquals("", tick.parentSpanId(), "the tick starts the trace: " + describe(trace));
        assertTrue(tick.attributes().getOrDefault("berth.events", "").contains(EventTypes.NODE_DOWN), describe(trace));
        assertEquals(otherNode, replacement.attributes().get("berth.node.id"), describe(trace));
    }

    private static String awaitRunning(BerthCluster cluster, String appId) {
        return await(appId + "'s task running").atMost(DEADLINE)
                .until(() -> cluster.running(appId).keySet().stream().findFirst().orElse(null), id -> id != null);
    }

    /** The gateway's span applying a berth.tasks record whose parent is the scheduler's span of a RUNNING. */
    private static Optional<ReceivedSpan> runningInTheView(List<ReceivedSpan> trace, String taskId) {
        Predicate<ReceivedSpan> schedulersRunning = s -> s.serviceName().equals("berth-scheduler")
                && "RUNNING".equals(s.attributes().get("berth.task.state"));
        return trace.stream().filter(s -> s.serviceName().equals("berth-gateway")
                        && s.name().equals("apply " + Topics.TASKS.name()))
                .filter(s -> trace.stream().anyMatch(p -> p.spanId().equals(s.parentSpanId()) && schedulersRunning.test(p)))
                .filter(s -> trace.stream().anyMatch(l -> l.name().equals("launch task")
                        && taskId.equals(l.attributes().get("berth.task.id"))))
                .findFirst();
    }

    /** Every span of the trace has its parent in it too (or is its root): nothing is still on its way. */
    private static boolean connected(List<ReceivedSpan> trace) {
        return trace.stream().allMatch(s -> s.isRoot() || trace.stream().anyMatch(p -> p.spanId().equals(s.parentSpanId())));
    }

    private static ReceivedSpan parentOf(List<ReceivedSpan> trace, ReceivedSpan child) {
        return trace.stream().filter(s -> s.spanId().equals(child.parentSpanId())).findFirst()
                .orElseThrow(() -> new AssertionError("no parent of " + child.name() + " in " + describe(trace)));
    }

    private static String describe(List<ReceivedSpan> trace) {
        StringBuilder text = new StringBuilder("trace:");
        trace.forEach(s -> text.append("\n  ").append(s.serviceName()).append(' ').append(s.name()).append(' ')
                .append(s.spanId()).append(" <- ").append(s.parentSpanId()).append(' ').append(s.attributes()));
        return text.toString();
    }

    private static boolean isRunningEvent(byte[] value, String taskId) {
        if (value == null) {
            return false;
        }
        try {
            JsonNode event = JsonCodec.mapper().readTree(value);
            return event.path("type").asText().equals(EventTypes.TASK_STATE)
                    && event.path("subject").asText().endsWith(taskId)
                    && event.path("data").path("state").asText().equals("RUNNING");
        } catch (IOException e) {
            return false;
        }
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
