package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.testkit.FreePorts;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /v1/tasks/{id}/logs}: the gateway finds the task's node and that node's agent in its
 * Kafka-built view and streams the agent's answer through. A small HTTP server stands in for the agent.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(FakeTokenEndpoint.class)
class TaskLogsOverKafkaTest extends OverKafka {
    @TestHTTPResource("/")
    URL gateway;

    private FakeAgent agent;
    private String appId;
    private String nodeId;

    @BeforeEach
    void startAgent() throws Exception {
        agent = new FakeAgent();
        appId = "/" + group + "/web";
        nodeId = "node-" + group;
        kafka.send(Topics.APPS.name(), appId, JsonCodec.encodeBytes(AppState.of(app(appId, 1), 1, false, null)));
    }

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    @Test
    void passesTheAgentsLogThroughAskingForWhatTheCallerAskedFor() {
        // Given a task on a node whose agent has its log
        String taskId = givenTaskOnNode(agent.url());
        agent.log(taskId, "starting\nlistening on 31000\n");

        // When its stderr's last 2 lines are asked for
        given().when().get("/v1/tasks/" + taskId + "/logs?stream=stderr&tail=2")
                .then().statusCode(200).contentType(startsWith("text/plain"))
                .header("X-Content-Type-Options", "nosniff")
                .body(equalTo("starting\nlistening on 31000\n"));

        // Then the agent was asked for exactly that; and without parameters, for the defaults spelled out
        assertEquals("stream=stderr&tail=2&follow=false", agent.lastRequestFor(taskId).getQuery());
        given().when().get("/v1/tasks/" + taskId + "/logs").then().statusCode(200);
        assertEquals("stream=stdout&tail=100&follow=false", agent.lastRequestFor(taskId).getQuery());
    }

    @Test
    void passesALargeLogThroughIntact() {
        String taskId = givenTaskOnNode(agent.url());
        String line = "x".repeat(99) + "\n";
        String big = line.repeat(30_000); // 3 MB
        agent.log(taskId, big);

        String body = given().when().get("/v1/tasks/" + taskId + "/logs?tail=10000")
                .then().statusCode(200).extract().asString();

        assertEquals(big.length(), body.length());
        assertEquals(big, body);
    }

    @Test
    void aFollowedLogArrivesLineByLineAndTheAgentConnectionClosesWhenTheReaderLeaves() throws Exception {
        // Given a task whose agent streams its log as it is written
        String taskId = givenTaskOnNode(agent.url());
        FakeAgent.FollowedLog log = agent.follow(taskId);
        log.write("first\n");
        HttpResponse<InputStream> response = http().send(HttpRequest.newBuilder(
                        URI.create(gateway + "v1/tasks/" + taskId + "/logs?follow=true"))
                        .header("Authorization", "Bearer " + TestTokens.admin()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));

        // Then each line reaches the reader while the answer is still open
        assertEquals("first", lines.readLine());
        log.write("second\n");
        assertEquals("second", lines.readLine());

        // When the reader goes away, the gateway closes its connection to the agent too
        lines.close();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            log.write("more\n");
            return log.readerGone();
        });
        assertEquals("stream=stdout&tail=100&follow=true", agent.lastRequestFor(taskId).getQuery());
    }

    @Test
    void aLogTheAgentBreaksOffEndsTheAnswerAsBrokenNotAsComplete() throws Exception {
        // Given an agent that dies in the middle of a log
        String taskId = givenTaskOnNode(agent.url());
        agent.breakOff(taskId, "partial\n");

        // When it is read
        HttpResponse<InputStream> response = http().send(HttpRequest.newBuilder(
                URI.create(gateway + "v1/tasks/" + taskId + "/logs")).timeout(WAIT)
                .header("Authorization", "Bearer " + TestTokens.admin()).build(),
                HttpResponse.BodyHandlers.ofInputStream());

        // Then what came arrives, and the answer then fails rather than hangs or looks complete
        assertEquals(200, response.statusCode());
        InputStream body = response.body();
        byte[] first = body.readNBytes("partial\n".length());
        assertEquals("partial\n", new String(first, StandardCharsets.UTF_8));
        assertThrows(java.io.IOException.class, () -> body.readAllBytes());
    }

    @Test
    void anAgentThatDropsTheLogBeforeSendingAnyOfItIs502() {
        String taskId = givenTaskOnNode(agent.url());
        agent.breakOff(taskId, "");

        given().when().get("/v1/tasks/" + taskId + "/logs")
                .then().statusCode(502).contentType("application/problem+json")
                .body("detail", containsString("broke off the log"));
    }

    @Test
    void aBadQueryIsRefusedWithEveryReasonAndNoAgentIsAsked() {
        String taskId = givenTaskOnNode(agent.url());

        given().when().get("/v1/tasks/" + taskId + "/logs?stream=stdin&tail=-3&follow=maybe")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("stream", "tail", "follow")))
                .body("detail", containsString("stdout or stderr"));
        given().when().get("/v1/tasks/" + taskId + "/logs?tail=10001").then().statusCode(400);

        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void anUnknownTaskIs404() {
        given().when().get("/v1/tasks/" + group + "_nothing.1/logs")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(group + "_nothing.1"));
    }

    @Test
    void theGatewayPresentsItsOwnServiceIdentityToTheAgentNeverTheCallersToken() {
        // Given a task whose agent answers a Berth service identity only
        String taskId = givenTaskOnNode(agent.url());
        agent.log(taskId, "hello\n");

        // When an administrator asks for its log
        given().header("Authorization", "Bearer " + TestTokens.admin()).when().get("/v1/tasks/" + taskId + "/logs")
                .then().statusCode(200).body(equalTo("hello\n"));

        // Then the agent was shown the gateway's service account, fetched by client credentials
        var shown = agent.tokens.get(agent.tokens.size() - 1);
        assertEquals("service-account-berth-gateway", shown.path("preferred_username").asText());
        assertTrue(shown.path("grant").asInt() >= 1, "a token from the token endpoint: " + shown);
        assertEquals("[\"berth-service\"]", shown.path("realm_access").path("roles").toString());
    }

    @Test
    void theGatewayKeepsItsServiceTokenAcrossCalls() {
        String taskId = givenTaskOnNode(agent.url());
        agent.log(taskId, "hello\n");

        for (int i = 0; i < 3; i++) {
            given().when().get("/v1/tasks/" + taskId + "/logs").then().statusCode(200);
        }

        // One grant served every call: the token is fetched again only near its expiry (an hour here)
        assertEquals(3, agent.tokens.size());
        assertEquals(1, agent.tokens.stream().map(t -> t.path("grant").asInt()).distinct().count(), agent.tokens.toString());
    }

    @Test
    void anAgentRefusingTheGatewaysIdentityIsAnInstallationFault502() {
        String taskId = givenTaskOnNode(agent.url());
        agent.problem(taskId, 403, "this endpoint is for Berth's own services");

        given().when().get("/v1/tasks/" + taskId + "/logs")
                .then().statusCode(502).contentType("application/problem+json")
                .body("detail", containsString("refused the gateway's service identity (403)"))
                .body("detail", containsString("berth-service"));
    }

    @Test
    void theAgentsOwn404IsPassedOnWithItsDetail() {
        String taskId = givenTaskOnNode(agent.url());
        agent.problem(taskId, 404, "no sandbox for " + taskId);

        given().when().get("/v1/tasks/" + taskId + "/logs")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no sandbox for " + taskId))
                .body("detail", containsString(nodeId));
    }

    @Test
    void aTaskWhoseNodeHasNotReportedIs503() {
        String taskId = appId.substring(1).replace('/', '_') + "." + UUID.randomUUID();
        sendTask(taskId, TaskState.RUNNING);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + appId).then()
                .body("tasks", hasSize(1)));

        given().when().get("/v1/tasks/" + taskId + "/logs")
                .then().statusCode(503).contentType("application/problem+json").header("Retry-After", "5")
                .body("detail", containsString(nodeId));
    }

    @Test
    void anAgentThatCannotBeReachedIs502() {
        String taskId = givenTaskOnNode("http://127.0.0.1:" + FreePorts.next());

        given().when().get("/v1/tasks/" + taskId + "/logs")
                .then().statusCode(502).contentType("application/problem+json")
                .body("detail", containsString("could not reach the agent of node " + nodeId));
    }

    @Test
    void anAgentThatDoesNotAnswerIs504() {
        // berth.gateway.agent-answer-timeout is 2 s in tests
        String taskId = givenTaskOnNode(agent.url());
        agent.silent(taskId);

        given().when().get("/v1/tasks/" + taskId + "/logs")
                .then().statusCode(504).contentType("application/problem+json")
                .body("detail", containsString("did not answer"));
    }

    @Test
    void theLogOfATaskThatEndedAndWasRemovedCanStillBeRead() {
        // Given a task that failed, was recorded so, and then removed by the scheduler
        String taskId = givenTaskOnNode(agent.url());
        agent.log(taskId, "panic: no config\n");
        sendTask(taskId, TaskState.FAILED);
        kafka.send(Topics.TASKS.name(), taskId, (byte[]) null);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + appId).then()
                .body("tasks", hasSize(0)));

        // Then its log is still read from the node it ran on
        given().when().get("/v1/tasks/" + taskId + "/logs").then().statusCode(200).body(equalTo("panic: no config\n"));
    }

    /** A client as curl is one: HTTP/1.1, where a broken answer is a connection closed mid-body. */
    private static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /** A running task on this test's node, whose agent listens at {@code agentUrl}; returns its id once the view has both. */
    private String givenTaskOnNode(String agentUrl) {
        String taskId = appId.substring(1).replace('/', '_') + "." + UUID.randomUUID();
        kafka.send(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(new NodeHeartbeat("hb-" + nodeId, 1,
                Instant.now(), null, nodeId, "host-" + nodeId, "127.0.0.1", new NodeResources(2, 1024, 100),
                new PortRange(31000, 31009), Map.of(), "cgroups-v2", agentUrl, List.of(taskId))));
        sendTask(taskId, TaskState.RUNNING);
        await().atMost(WAIT).untilAsserted(() -> {
            given().when().get("/v1/apps" + appId).then().body("tasks.id", equalTo(List.of(taskId)));
            given().when().get("/v1/nodes/" + nodeId).then().statusCode(200).body("agentUrl", equalTo(agentUrl));
        });
        return taskId;
    }

    private void sendTask(String taskId, TaskState state) {
        kafka.send(Topics.TASKS.name(), taskId, JsonCodec.encodeBytes(new TaskRecord(UUID.randomUUID().toString(), 1,
                Instant.now(), null, taskId, appId, 1, 0, nodeId, "127.0.0.1", List.of(), DesiredState.RUN, state,
                null, null, Instant.now(), null, null)));
    }
}
