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
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway whose own client secret Keycloak refuses (a secret rotated in the realm but not handed to
 * the gateway) cannot get its service identity: a task's log is then a 502 that says so and names
 * the fix, and the agent is never called without one.
 */
@QuarkusTest
@TestProfile(TaskLogsWithoutServiceIdentityTest.WrongSecret.class)
@QuarkusTestResource(KafkaTestResource.class)
class TaskLogsWithoutServiceIdentityTest extends OverKafka {

    public static class WrongSecret implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc-client.credentials.secret", "a-secret-since-rotated");
        }
    }

    @Test
    void aLogIsA502NamingTheGatewaysSecretAndTheAgentIsNotCalled() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            // Given a task on a node whose agent has its log
            String appId = "/" + group + "/web";
            String nodeId = "node-" + group;
            String taskId = group + "_web." + UUID.randomUUID();
            kafka.send(Topics.APPS.name(), appId, JsonCodec.encodeBytes(AppState.of(app(appId, 1), 1, false, null)));
            kafka.send(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(new NodeHeartbeat("hb-" + nodeId, 1,
                    Instant.now(), null, nodeId, "host-" + nodeId, "127.0.0.1", new NodeResources(2, 1024, 100),
                    new PortRange(31000, 31009), Map.of(), "cgroups-v2", agent.url(), List.of(taskId))));
            kafka.send(Topics.TASKS.name(), taskId, JsonCodec.encodeBytes(new TaskRecord(UUID.randomUUID().toString(), 1,
                    Instant.now(), null, taskId, appId, 1, 0, nodeId, "127.0.0.1", List.of(), DesiredState.RUN,
                    TaskState.RUNNING, null, null, Instant.now(), null, null)));
            agent.log(taskId, "hello\n");
            await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + appId).then()
                    .body("tasks.id", equalTo(List.of(taskId))));

            // When its log is asked for, Keycloak refuses the gateway's client credentials
            given().when().get("/v1/tasks/" + taskId + "/logs")
                    .then().statusCode(502).contentType("application/problem+json")
                    .body("title", equalTo("Gateway has no service identity"))
                    .body("detail", containsString("QUARKUS_OIDC_CLIENT_CREDENTIALS_SECRET"));

            // Then the agent was never asked, with or without a token
            assertTrue(agent.requests.isEmpty(), "the agent saw " + agent.requests);
        }
    }
}
