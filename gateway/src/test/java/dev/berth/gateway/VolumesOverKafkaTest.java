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
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.berth.gateway.VolumeFixtures.attachedExternal;
import static dev.berth.gateway.VolumeFixtures.inState;
import static dev.berth.gateway.VolumeFixtures.local;
import static dev.berth.gateway.VolumeFixtures.publish;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** GET and DELETE /v1/volumes, with the test playing the volume service on the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class VolumesOverKafkaTest extends OverKafka {

    @Test
    void volumesAreListedWithEveryFieldAndFilteredByAppNodeAndState() {
        // Given a local volume of db-0 on node a, and an external one of db-1 attached on node b
        String app = "/" + group + "/db";
        String nodeA = group + "-a";
        String nodeB = group + "-b";
        VolumeSnapshot data = local(group + "_db.db-0.data", app, "db-0", nodeA, VolumeState.AVAILABLE, 2);
        VolumeSnapshot pg = attachedExternal("pg-" + group + "-1", app, "db-1", nodeB, app.substring(1) + ".t1", 3, 4);
        VolumeSnapshot other = local(group + "_other.other-0.data", "/" + group + "/other", "other-0", nodeB,
                VolumeState.RELEASED, 1);
        publish(kafka, Kind.CREATED, data);
        publish(kafka, Kind.ATTACHED, pg);
        publish(kafka, Kind.RELEASED, other);

        // Then each filter narrows the list (sorted by id), and one volume shows every field
        await().atMost(WAIT).untilAsserted(() -> given().queryParam("node", nodeB).when().get("/v1/volumes")
                .then().statusCode(200).body("volumes.id", equalTo(List.of(pg.volumeId(), other.volumeId()))));
        given().queryParam("app", app).when().get("/v1/volumes")
                .then().statusCode(200).body("volumes.id", equalTo(List.of(pg.volumeId(), data.volumeId())));
        given().queryParam("app", group + "/db").when().get("/v1/volumes")
                .then().body("volumes.id", equalTo(List.of(pg.volumeId(), data.volumeId())));
        given().queryParam("node", nodeA).when().get("/v1/volumes")
                .then().body("volumes.id", equalTo(List.of(data.volumeId())));
        given().queryParam("node", nodeB).queryParam("state", "released").when().get("/v1/volumes")
                .then().body("volumes.id", equalTo(List.of(other.volumeId())));
        // A repeated filter matches any of its values
        given().queryParam("node", nodeA, nodeB).queryParam("state", "available", "RELEASED").when().get("/v1/volumes")
                .then().body("volumes.id", equalTo(List.of(data.volumeId(), other.volumeId())));
        given().when().get("/v1/volumes/" + pg.volumeId()).then().statusCode(200)
                .body("id", equalTo(pg.volumeId())).body("name", equalTo(pg.volumeId()))
                .body("appId", equalTo(app)).body("identity", equalTo("db-1")).body("type", equalTo("EXTERNAL"))
                .body("provider", equalTo("sharedfs")).body("sizeMib", equalTo(1024)).body("nodeId", nullValue())
                .body("state", equalTo("ATTACHED")).body("attachedNodeId", equalTo(nodeB))
                .body("attachedTaskId", equalTo(pg.attachedTaskId())).body("fencingEpoch", equalTo(3))
                .body("updatedAt", equalTo(pg.updatedAt().toString()));
    }

    @Test
    void anUnknownVolumeIs404AndABadFilterIs400ListingTheValidStates() {
        given().when().get("/v1/volumes/no-such-" + group).then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("no-such-" + group));
        given().when().delete("/v1/volumes/no-such-" + group).then().statusCode(404)
                .contentType("application/problem+json");
        given().queryParam("state", "MOUNTED").when().get("/v1/volumes").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("state"))
                .body("detail", containsString("AVAILABLE, ATTACHING, ATTACHED, DETACHING, FENCED, RELEASED, DELETED"))
                .body("detail", containsString("'MOUNTED'"));
        given().queryParam("app", "Not An App").when().get("/v1/volumes").then().statusCode(400)
                .body("errors[0].field", equalTo("app"));
    }

    @Test
    void everyValueOfARepeatedVolumeFilterIsCheckedNotOnlyTheFirst() {
        given().queryParam("state", "ATTACHED", "bogus").when().get("/v1/volumes").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", equalTo(List.of("state")))
                .body("detail", containsString("'bogus'"));
        given().queryParam("app", "/" + group + "/db", "..").queryParam("state", "released", "MOUNTED")
                .when().get("/v1/volumes").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("app", "state")));
    }

    @Test
    void anEventOlderThanTheVolumeHeldIsIgnored() {
        // Given a volume at version 5, ATTACHED
        String app = "/" + group + "/db";
        VolumeSnapshot now = attachedExternal("pg-" + group + "-0", app, "db-0", "n1", "task-1", 2, 5);
        publish(kafka, Kind.ATTACHED, now);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/volumes/" + now.volumeId())
                .then().statusCode(200).body("state", equalTo("ATTACHED")));

        // When the relay redelivers an older event (version 4), followed by a marker
        publish(kafka, Kind.ATTACHING, inState(now, VolumeState.ATTACHING, 4));
        VolumeSnapshot marker = local(group + "_marker.m-0.data", app, "db-9", "n1", VolumeState.AVAILABLE, 1);
        publish(kafka, Kind.CREATED, marker);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/volumes/" + marker.volumeId())
                .then().statusCode(200));

        // Then the volume is as version 5 left it
        given().when().get("/v1/volumes/" + now.volumeId()).then().body("state", equalTo("ATTACHED"));
    }

    @Test
    void aVolumeStillInUseCannotBeDeletedAndNothingIsSent() {
        // Given a volume attached to a task
        String app = "/" + group + "/db";
        VolumeSnapshot pg = attachedExternal("pg-" + group + "-0", app, "db-0", "node-x", "task-7", 1, 3);
        publish(kafka, Kind.ATTACHED, pg);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/volumes/" + pg.volumeId())
                .then().statusCode(200));

        // When it is deleted, it is refused with its state and node
        given().when().delete("/v1/volumes/" + pg.volumeId()).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("ATTACHED")).body("detail", containsString("node-x"))
                .body("detail", containsString("only a RELEASED volume can be deleted"));

        // Then no command went to the volume service
        assertThrows(AssertionError.class, () -> kafka.await(Topics.VOLUME_COMMANDS.name(),
                r -> pg.volumeId().equals(r.key()), Duration.ofSeconds(2)));
    }

    @Test
    void aReleasedVolumeIsDeletedOnceTheVolumeServiceSaysSo() throws Exception {
        // Given a released volume
        String app = "/" + group + "/db";
        VolumeSnapshot data = local(group + "_db.db-2.data", app, "db-2", "node-y", VolumeState.RELEASED, 7);
        publish(kafka, Kind.RELEASED, data);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/volumes/" + data.volumeId())
                .then().statusCode(200));

        // When it is deleted, the gateway sends DeleteVolume keyed by the volume id
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> given().when().delete("/v1/volumes/" + data.volumeId()));
        DeleteVolume command = assertInstanceOf(DeleteVolume.class, JsonCodec.decode(kafka.await(
                Topics.VOLUME_COMMANDS.name(), r -> data.volumeId().equals(r.key()), WAIT).value(), VolumeCommand.class));
        assertEquals(data.volumeId(), command.volumeId());

        // And once the volume service announces it DELETED, the answer is 200 with the deleted volume
        publish(kafka, Kind.DELETED, inState(data, VolumeState.DELETED, 8), null, command.id());
        Response response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertEquals("DELETED", response.path("state"));

        // Then it stays listed as DELETED, and deleting it again is harmless
        given().queryParam("app", app).queryParam("state", "DELETED").when().get("/v1/volumes")
                .then().body("volumes.id", equalTo(List.of(data.volumeId())));
        given().when().delete("/v1/volumes/" + data.volumeId()).then().statusCode(200)
                .body("state", equalTo("DELETED"));
    }

    @Test
    void aDeleteTheVolumeServiceRefusesIs409WithItsReason() throws Exception {
        // Given a released volume
        String app = "/" + group + "/db";
        VolumeSnapshot data = local(group + "_db.db-3.data", app, "db-3", "node-z", VolumeState.RELEASED, 2);
        publish(kafka, Kind.RELEASED, data);
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/volumes/" + data.volumeId())
                .then().statusCode(200));

        // When it is deleted and the volume service refuses (it was attached again meanwhile)
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> given().when().delete("/v1/volumes/" + data.volumeId()));
        DeleteVolume command = (DeleteVolume) JsonCodec.decode(kafka.await(Topics.VOLUME_COMMANDS.name(),
                r -> data.volumeId().equals(r.key()), WAIT).value(), VolumeCommand.class);
        publish(kafka, Kind.DELETE_REFUSED, inState(data, VolumeState.ATTACHING, 3),
                "the volume is ATTACHING, not RELEASED", command.id());

        // Then the answer is 409 with the reason
        Response response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(409, response.statusCode());
        assertEquals("application/problem+json", response.contentType());
        assertEquals(true, response.<String>path("detail").contains("the volume is ATTACHING, not RELEASED"));
    }
}
