package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent.Kind;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.berth.gateway.VolumeFixtures.inState;
import static dev.berth.gateway.VolumeFixtures.local;
import static dev.berth.gateway.VolumeFixtures.publish;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** A delete the volume service does not answer in time: 202 and a Location to follow, never a silent loss. */
@QuarkusTest
@TestProfile(VolumeDeleteUnansweredOverKafkaTest.ShortWait.class)
@QuarkusTestResource(KafkaTestResource.class)
class VolumeDeleteUnansweredOverKafkaTest extends OverKafka {

    public static class ShortWait implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("berth.gateway.volume-delete-wait", "300ms");
        }
    }

    @Test
    void aDeleteNotAnsweredInTimeIsAcceptedWithTheVolumesLocation() {
        // Given a released volume, and no volume service answering
        VolumeSnapshot data = local(group + "_db.db-1.data", "/" + group + "/db", "db-1", "node-q",
                VolumeState.RELEASED, 4);
        publish(kafka, Kind.RELEASED, data);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/volumes/" + data.volumeId())
                .then().statusCode(200));

        // When it is deleted, the answer is 202 with where to follow it, and the command is in Kafka
        given().when().delete("/v1/volumes/" + data.volumeId()).then().statusCode(202)
                .header("Location", endsWith("/v1/volumes/" + data.volumeId())).body("state", equalTo("RELEASED"));
        assertInstanceOf(DeleteVolume.class, JsonCodec.decode(kafka.await(Topics.VOLUME_COMMANDS.name(),
                r -> data.volumeId().equals(r.key()), WAIT).value(), VolumeCommand.class));

        // Then, once the volume service carries it out, the Location shows it DELETED
        publish(kafka, Kind.DELETED, inState(data, VolumeState.DELETED, 5));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/volumes/" + data.volumeId())
                .then().body("state", equalTo("DELETED")));
    }
}
