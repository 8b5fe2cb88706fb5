package dev.berth.agent.api;

import dev.berth.agent.Agent;
import dev.berth.agent.task.TaskView;
import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.SharedInfra;
import dev.berth.testkit.TestTokens;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The logs endpoint over HTTP, for tasks launched through the real in-process broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AgentTaskLogsResourceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Agent agent;

    @TestHTTPResource("/")
    URL agentHttp;

    private KafkaProbe kafka;
    private final List<String> launched = new ArrayList<>();

    @BeforeEach
    void setUp() {
        // The agent answers a Berth service identity only (AgentDoorTest is about that).
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + TestTokens.service()).build();
        kafka = new KafkaProbe(SharedInfra.kafka().bootstrapServers());
    }

    @AfterEach
    void tearDown() {
        RestAssured.requestSpecification = null;
        kafka.close();
        // A test that failed half-way must not leave its task running.
        launched.stream().map(id -> agent.supervisor().find(id)).flatMap(java.util.Optional::stream)
                .filter(t -> !t.state().isTerminal() && t.pid() > 0)
                .forEach(t -> ProcessHandle.of(t.pid()).ifPresent(p -> Stream.concat(p.descendants(), Stream.of(p))
                        .forEach(ProcessHandle::destroyForcibly)));
    }

    @Test
    void anUnknownTaskIsAProblemNotFound() {
        given().get("/v1/agent/tasks/no-such-task/logs")
                .then().statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(404))
                .body("title", equalTo("Not Found"))
                .body("type", equalTo("https://berth.dev/problems/not-found"))
                .body("detail", containsString("no task no-such-task"));
    }

    @Test
    void aBadStreamTailOrFollowIsAProblemBadRequest() {
        for (String query : List.of("stream=stdin", "tail=-1", "tail=10001", "tail=many", "follow=maybe")) {
            given().get("/v1/agent/tasks/no-such-task/logs?" + query)
                    .then().statusCode(400)
                    .contentType(startsWith("application/problem+json"))
                    .body("status", equalTo(400))
                    .body("detail", containsString(query.substring(0, query.indexOf('='))));
        }
    }

    @Test
    void theTailOfAnEndedTasksStreamsIsTheirLastLines() {
        // Given a task that wrote 500 lines to stdout and one to stderr, and ended
        String taskId = launch("seq 1 500; echo oops >&2");
        await().atMost(WAIT).until(() -> state(taskId) == TaskState.FINISHED);

        // Then its logs are the last lines asked for, 100 by default
        given().get("/v1/agent/tasks/" + taskId + "/logs?tail=3")
                .then().statusCode(200)
                .contentType(equalTo("text/plain;charset=utf-8"))
                .header("X-Content-Type-Options", "nosniff")
                .body(equalTo("498\n499\n500\n"));
        String byDefault = given().get("/v1/agent/tasks/" + taskId + "/logs").then().statusCode(200)
                .extract().asString();
        assertEquals(100, byDefault.lines().count());
        assertTrue(byDefault.startsWith("401\n"), byDefault);
        given().get("/v1/agent/tasks/" + taskId + "/logs?stream=stderr&tail=10")
                .then().statusCode(200).body(equalTo("oops\n"));
        given().get("/v1/agent/tasks/" + taskId + "/logs?tail=0")
                .then().statusCode(200).body(equalTo(""));
    }

    @Test
    void aFollowStreamsWhatTheTaskWritesAndEndsWithTheTask() throws Exception {
        // Given a running task that has written one line and waits for a file before its last
        String taskId = launch("echo start; while [ ! -f go ]; do sleep 0.1; done; echo end");
        await().atMost(WAIT).until(() -> state(taskId) == TaskState.RUNNING);
        Path sandbox = Path.of(agent.supervisor().find(taskId).orElseThrow().sandbox());

        // When its log is followed
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(agentHttp + "v1/agent/tasks/" + taskId + "/logs?follow=true"))
                        .header("Authorization", "Bearer " + TestTokens.service()).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        Iterator<String> lines = response.body().iterator();

        // Then the first line comes while the task still runs, the last once it is written, and the
        // answer ends when the task does
        assertEquals("start", lines.next());
        assertFalse(state(taskId).isTerminal());
        Files.writeString(sandbox.resolve("go"), "");
        assertEquals("end", lines.next());
        assertFalse(lines.hasNext());
        assertEquals(TaskState.FINISHED, state(taskId));
    }

    private String launch(String cmd) {
        String taskId = "logs-test." + UUID.randomUUID();
        String nodeId = agent.profile().nodeId();
        LaunchTask launch = LaunchTask.of(nodeId, taskId, "/logs-test", 1,
                new TaskSpec(cmd, null, Map.of(), Map.of(), 0.1, 16, 0, List.of()), null);
        kafka.send(Topics.NODE_COMMANDS.name(), nodeId, JsonCodec.encodeBytes(launch));
        launched.add(taskId);
        await().atMost(WAIT).until(() -> agent.supervisor().find(taskId).isPresent());
        return taskId;
    }

    private TaskState state(String taskId) {
        return agent.supervisor().find(taskId).map(TaskView::state).orElse(null);
    }
}
