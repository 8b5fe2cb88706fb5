package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Drain and undrain, node modes and reachability in the view, over the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class NodeAdminOverKafkaTest extends OverKafka {
    private String nodeId;

    @BeforeEach
    void nameTheNode() {
        nodeId = "node-" + group;
    }

    @Test
    void drainPublishesDrainNodeKeyedByTheNodeIdAndTheNodeShowsDraining() {
        // Given a node that reports in and is active
        givenNode();

        // When an operator drains it
        given().when().post("/v1/nodes/" + nodeId + "/drain")
                .then().statusCode(202).body("id", equalTo(nodeId)).body("mode", equalTo("DRAINING"));

        // Then the wanted mode is on the node-admin topic under the node's key, and the view shows it
        DrainNode drain = assertInstanceOf(DrainNode.class, adminCommand(DrainNode.class));
        assertEquals(nodeId, drain.nodeId());
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId)
                .then().statusCode(200).body("mode", equalTo("DRAINING")));
    }

    @Test
    void undrainPublishesUndrainNodeAndTheNodeIsActiveAgain() {
        givenNode();
        kafka.send(Topics.NODE_ADMIN.name(), nodeId, JsonCodec.encodeBytes(DrainNode.of(nodeId)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId)
                .then().body("mode", equalTo("DRAINING")));

        given().when().post("/v1/nodes/" + nodeId + "/undrain")
                .then().statusCode(202).body("id", equalTo(nodeId)).body("mode", equalTo("ACTIVE"));

        assertEquals(nodeId, adminCommand(UndrainNode.class).nodeId());
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId)
                .then().body("mode", equalTo("ACTIVE")));
    }

    @Test
    void aTombstoneOnTheNodeAdminTopicMakesTheNodeActive() {
        givenNode();
        kafka.send(Topics.NODE_ADMIN.name(), nodeId, JsonCodec.encodeBytes(DrainNode.of(nodeId)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes")
                .then().body("nodes.find { it.id == '" + nodeId + "' }.mode", equalTo("DRAINING")));

        kafka.send(Topics.NODE_ADMIN.name(), nodeId, (byte[]) null);

        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId)
                .then().body("mode", equalTo("ACTIVE")));
    }

    @Test
    void drainingOrUndrainingAnUnknownNodeIs404() {
        given().when().post("/v1/nodes/" + nodeId + "/drain")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(nodeId));
        given().when().post("/v1/nodes/" + nodeId + "/undrain")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aNodeIsReachableWhileItsAgentReportsAndUnreachableOnceItFallsSilent() {
        // Given one heartbeat and then silence
        givenNode();

        // Then it turns unreachable after berth.gateway.node-timeout (5s by default); polled by value,
        // not by assertion, so the seconds of waiting do not fill the log with failed validations
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> !given().when()
                .get("/v1/nodes/" + nodeId).then().statusCode(200).extract().jsonPath().getBoolean("reachable"));
        given().when().get("/v1/nodes/" + nodeId).then().body("mode", equalTo("ACTIVE"));
    }

    /** A heartbeat for the node, and the view showing it as reachable and active. */
    private void givenNode() {
        kafka.send(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(new NodeHeartbeat("hb-" + nodeId, 1,
                Instant.now(), null, nodeId, "host-" + nodeId, "10.0.0.9", new NodeResources(2, 1024, 100),
                new PortRange(31000, 31009), Map.of("zone", "b"), "best-effort", "http://10.0.0.9:8090", List.of())));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId).then().statusCode(200)
                .body("reachable", equalTo(true)).body("mode", equalTo("ACTIVE")));
    }

    private <T extends NodeAdminCommand> T adminCommand(Class<T> type) {
        var record = kafka.await(Topics.NODE_ADMIN.name(), r -> nodeId.equals(r.key()) && r.value() != null
                && type.isInstance(JsonCodec.decode(r.value(), NodeAdminCommand.class)), WAIT);
        return type.cast(JsonCodec.decode(record.value(), NodeAdminCommand.class));
    }
}
