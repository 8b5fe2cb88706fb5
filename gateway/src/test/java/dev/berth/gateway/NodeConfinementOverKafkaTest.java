package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** How each node says it confines tasks (own root, default and allowed users), as the gateway shows it. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class NodeConfinementOverKafkaTest extends OverKafka {

    @Test
    void aNodeShowsWhetherTasksGetTheirOwnRootAndWhoTheyMayRunAs() {
        // Given a node whose agent gives tasks their own root, runs them as nobody and also allows postgres
        String nodeId = "node-" + group;
        heartbeat(nodeId, new NodeConfinement(NodeConfinement.OWN_ROOT, "nobody", List.of("nobody", "postgres")));

        // Then the node shows it, alone and in the list, to a viewer too
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId).then().statusCode(200)
                .body("confinement.filesystem", equalTo("own-root"))
                .body("confinement.defaultUser", equalTo("nobody"))
                .body("confinement.allowedUsers", equalTo(List.of("nobody", "postgres"))));
        given().header("Authorization", "Bearer " + TestTokens.viewer(group)).when().get("/v1/nodes").then()
                .statusCode(200)
                .body("nodes.find { it.id == '" + nodeId + "' }.confinement.allowedUsers[1]", equalTo("postgres"));
    }

    @Test
    void aNodeThatSaysNothingOfConfinementShowsTasksSeeingTheHostAndNoUsers() {
        // Given a node whose agent reports nothing of how it confines tasks (an agent from before issue 13)
        String nodeId = "node-" + group;
        kafka.send(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(new NodeHeartbeat("hb-" + nodeId, 1,
                Instant.now(), null, nodeId, "host-a", "10.0.0.8", new NodeResources(2, 1024, 100),
                new PortRange(31000, 31009), Map.of(), "cgroups-v2", "http://10.0.0.8:8090", List.of())));

        // Then it shows the host's file system, no default user and no allowed users
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/nodes/" + nodeId).then().statusCode(200)
                .body("confinement.filesystem", equalTo("host"))
                .body("confinement.defaultUser", nullValue())
                .body("confinement.allowedUsers", empty()));
    }

    private void heartbeat(String nodeId, NodeConfinement confinement) {
        kafka.send(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(new NodeHeartbeat("hb-" + nodeId, 1,
                Instant.now(), null, nodeId, "host-a", "10.0.0.7", new NodeResources(2, 1024, 100),
                new PortRange(31000, 31009), Map.of(), "cgroups-v2", "http://10.0.0.7:8090", List.of(), Map.of(),
                NodeVolumes.NONE, confinement)));
    }
}
