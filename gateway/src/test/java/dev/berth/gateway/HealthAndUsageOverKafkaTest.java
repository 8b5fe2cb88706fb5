package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskUsage;
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/** Health on apps and tasks, and measured usage on nodes, as the gateway shows them from Kafka. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class HealthAndUsageOverKafkaTest extends OverKafka {

    @Test
    void anAppCountsHealthyAndUnhealthyTasksAsRunningAndEachTaskShowsItsLastCheck() {
        // Given an app of three: one healthy, one failing its check, one still staging
        String id = "/" + group + "/checked";
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 3), 1, false, null)));
        sendTask(id, 0, TaskState.HEALTHY, null, new HealthReport(0, 0, 3, "HTTP 200"));
        sendTask(id, 1, TaskState.UNHEALTHY, "HTTP 500", new HealthReport(0, 2, 3, "HTTP 500"));
        sendTask(id, 2, TaskState.STAGING, null, null);

        // Then Marathon's counters say so, and each task carries its check's last result
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("tasks", hasSize(3))
                .body("tasksRunning", equalTo(2)).body("tasksHealthy", equalTo(1))
                .body("tasksUnhealthy", equalTo(1)).body("tasksStaged", equalTo(1))
                .body("status", equalTo("DEPLOYING")));
        given().when().get("/v1/apps" + id).then()
                .body("tasks[0].healthCheckResults[0].alive", equalTo(true))
                .body("tasks[0].healthCheckResults[0].lastResult", equalTo("HTTP 200"))
                .body("tasks[1].state", equalTo("UNHEALTHY"))
                .body("tasks[1].healthCheckResults[0].alive", equalTo(false))
                .body("tasks[1].healthCheckResults[0].consecutiveFailures", equalTo(2))
                .body("tasks[1].healthCheckResults[0].maxConsecutiveFailures", equalTo(3))
                .body("tasks[1].healthCheckResults[0].lastResult", equalTo("HTTP 500"))
                .body("tasks[2].healthCheckResults", hasSize(0));
    }

    @Test
    void aNodeShowsWhatEachTaskUsesAndTheirSum() {
        // Given a node whose agent measured two tasks
        String nodeId = "node-" + group;
        kafka.send(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(new NodeHeartbeat("hb", 1, Instant.now(), null,
                nodeId, "host-a", "10.0.0.7", new NodeResources(4, 2048, 1000), new PortRange(31000, 31099),
                Map.of(), "cgroups-v1", "http://10.0.0.7:8090", List.of("a.1", "b.1"),
                Map.of("a.1", new TaskUsage(1.5, 100_000_000, 4096, false),
                        "b.1", new TaskUsage(0.5, 50_000_000, 8192, true)))));

        // Then the node shows both, with the total, in the list and alone
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId).then().statusCode(200)
                .body("isolation", equalTo("cgroups-v1"))
                .body("usage.total.cpuSeconds", equalTo(2.0f))
                .body("usage.total.memBytes", equalTo(150_000_000))
                .body("usage.total.diskBytes", equalTo(12288))
                .body("usage.tasks.'a.1'.memBytes", equalTo(100_000_000))
                .body("usage.tasks.'b.1'.diskExceeded", equalTo(true)));
        given().when().get("/v1/nodes").then()
                .body("nodes.find { it.id == '" + nodeId + "' }.usage.total.diskBytes", equalTo(12288));
    }

    private void sendTask(String appId, int instance, TaskState state, String reason, HealthReport health) {
        String taskId = appId.substring(1).replace('/', '_') + "." + instance;
        kafka.send(Topics.TASKS.name(), taskId, JsonCodec.encodeBytes(new TaskRecord(UUID.randomUUID().toString(), 1,
                Instant.now(), null, taskId, appId, 1, instance, "node-" + group, "10.0.0.7", List.of(),
                DesiredState.RUN, state, reason, null, Instant.now(), null, null, health)));
    }
}
