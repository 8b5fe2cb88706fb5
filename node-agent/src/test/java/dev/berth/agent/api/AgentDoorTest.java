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
import dev.berth.testkit.PrometheusText;
import dev.berth.testkit.SharedInfra;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's door: its endpoints hand out what runs on the node and any team's task output, so
 * only a Berth service identity gets through; a person's token, even an administrator's, does not.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AgentDoorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Agent agent;

    @Test
    void everyEndpointRefusesARequestWithoutATokenWithAProblem() {
        for (String path : endpoints("some-task")) {
            given().get(path)
                    .then().statusCode(401)
                    .contentType(startsWith("application/problem+json"))
                    .header("WWW-Authenticate", equalTo("Bearer"))
                    .body("status", equalTo(401))
                    .body("detail", containsString("berth-service"));
        }
    }

    @Test
    void everyEndpointRefusesATokenNotSignedByTheRealm() {
        String forged = TestTokens.signedByAnotherKey(TestTokens.claims("intruder", List.of("berth-service"), List.of(),
                Duration.ofMinutes(5), TestTokens.ISSUER, "berth-gateway"));
        for (String path : endpoints("some-task")) {
            given().header("Authorization", "Bearer " + forged).get(path)
                    .then().statusCode(401)
                    .contentType(startsWith("application/problem+json"))
                    .header("WWW-Authenticate", containsString("invalid_token"));
        }
    }

    @Test
    void everyEndpointRefusesAPersonEvenAnAdministrator() {
        for (String token : List.of(TestTokens.admin(), TestTokens.operator("team-a"), TestTokens.viewer("team-a"))) {
            for (String path : endpoints("some-task")) {
                given().header("Authorization", "Bearer " + token).get(path)
                        .then().statusCode(403)
                        .contentType(startsWith("application/problem+json"))
                        .body("status", equalTo(403))
                        .body("detail", containsString("berth-service"));
            }
        }
    }

    @Test
    void aBerthServiceIdentityGetsTheTasksAndATasksLog() {
        // Given a task that printed a line and ended
        String taskId = launch("echo secret-of-team-a");
        await().atMost(WAIT).until(() -> agent.supervisor().find(taskId).map(TaskView::state).orElse(null)
                == TaskState.FINISHED);

        // Then a Berth service sees it and its output
        String service = "Bearer " + TestTokens.service();
        given().header("Authorization", service).get("/v1/agent/tasks")
                .then().statusCode(200).body(containsString(taskId));
        given().header("Authorization", service).get("/v1/agent/tasks/" + taskId + "/logs")
                .then().statusCode(200).body(equalTo("secret-of-team-a\n"));
    }

    @Test
    void healthStaysOpen() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health").then().statusCode(200);
    }

    @Test
    void metricsAreOpenToAScraperAndTimeALaunchAndCountTheRunningTask() {
        // Given a task launched on this node, now running
        String taskId = launch("sleep 30");
        await().atMost(WAIT).until(() -> agent.supervisor().find(taskId).map(TaskView::state).orElse(null)
                == TaskState.RUNNING);

        // Then a scrape without a token shows its launch timed, it running, and the node's heartbeat fresh
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(PrometheusText.value(text, "berth_agent_launch_seconds_count") >= 1, text);
        assertTrue(PrometheusText.value(text, "berth_agent_running_tasks") >= 1, text);
        assertFalse(Double.isNaN(PrometheusText.value(text, "kafka_consumer_fetch_manager_records_lag_max")),
                "the command consumer's own metrics, lag among them");
        await().atMost(WAIT).until(() -> PrometheusText.value(given().get("/q/metrics").asString(),
                "berth_agent_heartbeat_age_seconds") < 60);
        assertFalse(text.contains(taskId), "no label carries a task id");
    }

    private static List<String> endpoints(String taskId) {
        return List.of("/v1/agent/tasks", "/v1/agent/tasks/" + taskId + "/logs",
                "/v1/agent/tasks/" + taskId + "/logs?follow=true", "/no/such/path", "/q/openapi");
    }

    private String launch(String cmd) {
        String taskId = "door-test." + UUID.randomUUID();
        String nodeId = agent.profile().nodeId();
        LaunchTask launch = LaunchTask.of(nodeId, taskId, "/door-test", 1,
                new TaskSpec(cmd, null, Map.of(), Map.of(), 0.1, 16, 0, List.of()), null);
        try (KafkaProbe kafka = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            kafka.send(Topics.NODE_COMMANDS.name(), nodeId, JsonCodec.encodeBytes(launch));
        }
        await().atMost(WAIT).until(() -> agent.supervisor().find(taskId).isPresent());
        return taskId;
    }
}
