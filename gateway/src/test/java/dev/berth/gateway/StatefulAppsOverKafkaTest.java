package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.VolumeEvent.Kind;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.testkit.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

import static dev.berth.gateway.VolumeFixtures.attachedExternal;
import static dev.berth.gateway.VolumeFixtures.inState;
import static dev.berth.gateway.VolumeFixtures.local;
import static dev.berth.gateway.VolumeFixtures.publish;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apps with persistent volumes: their identities and volumes on the app and its tasks, delete with
 * and without wipe, and replacing one identity; the test plays the scheduler and the volume service.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class StatefulAppsOverKafkaTest extends OverKafka {

    @Test
    void theAppAndItsTasksShowIdentitiesAndVolumes() {
        // Given a stateful app of 2 instances, db-0 running with both volumes attached, db-1 waiting for one
        String id = givenStatefulApp(2);
        String dataId = group + "_db.db-0.data";
        String pgId = "pg-" + group + "-0";
        VolumeMount data = new VolumeMount(dataId, VolumeType.LOCAL, "local", "data", false, 512, 0);
        VolumeMount pg = new VolumeMount(pgId, VolumeType.EXTERNAL, "sharedfs", "/var/lib/pg", true, 1024, 0);
        TaskRecord db0 = TaskRecord.launchedWithVolumes(null, id.substring(1) + ".a", id, 1, 0, "db-0", "node-1",
                        "10.0.0.1", List.of(new PortAssignment(null, 31000)), Instant.now(), null, List.of(data, pg))
                .volumeAttached(dataId, 1, null, Instant.now()).volumeAttached(pgId, 4, null, Instant.now());
        VolumeMount data1 = new VolumeMount(group + "_db.db-1.data", VolumeType.LOCAL, "local", "data", false, 512, 0);
        TaskRecord db1 = TaskRecord.launchedWithVolumes(null, id.substring(1) + ".b", id, 1, 1, "db-1", "node-2",
                "10.0.0.2", List.of(), Instant.now(), null, List.of(data1));
        kafka.send(Topics.TASKS.name(), db0.taskId(), JsonCodec.encodeBytes(db0));
        kafka.send(Topics.TASKS.name(), db1.taskId(), JsonCodec.encodeBytes(db1));
        publish(kafka, Kind.ATTACHED, local(dataId, id, "db-0", "node-1", VolumeState.ATTACHED, 3));
        publish(kafka, Kind.ATTACHED, attachedExternal(pgId, id, "db-0", "node-1", db0.taskId(), 4, 5));
        VolumeSnapshot gone = local(group + "_db.db-0.old", id, "db-0", "node-9", VolumeState.RELEASED, 1);
        publish(kafka, Kind.DELETED, inState(gone, VolumeState.DELETED, 2));
        publish(kafka, Kind.CREATED, local(data1.volumeId(), id, "db-1", "node-2", VolumeState.ATTACHING, 1));

        // Then the app shows its declared volumes in Marathon's shape and the volumes its identities own
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("volumes", hasSize(3)).body("tasks", hasSize(2)));
        given().when().get("/v1/apps" + id).then()
                .body("container.volumes[0].containerPath", equalTo("data"))
                .body("container.volumes[0].persistent.size", equalTo(512))
                .body("container.volumes[1].external.name", equalTo("pg-" + group))
                .body("container.volumes[1].mode", equalTo("RO"))
                .body("volumes.id", equalTo(List.of(pgId, dataId, data1.volumeId())))
                .body("volumes[0].identity", equalTo("db-0")).body("volumes[0].state", equalTo("ATTACHED"))
                .body("volumes[0].type", equalTo("EXTERNAL")).body("volumes[0].nodeId", nullValue())
                .body("volumes[0].attachedNodeId", equalTo("node-1"))
                .body("volumes[1].nodeId", equalTo("node-1"))
                .body("volumes[2].identity", equalTo("db-1"))
        // And each task its identity, its mounts with their epochs, and what it still waits for
                .body("tasks[0].identity", equalTo("db-0"))
                .body("tasks[0].volumes.volumeId", equalTo(List.of(dataId, pgId)))
                .body("tasks[0].volumes[0].containerPath", equalTo("data"))
                .body("tasks[0].volumes[0].mode", equalTo("RW")).body("tasks[0].volumes[0].readOnly", equalTo(false))
                .body("tasks[0].volumes[0].type", equalTo("LOCAL")).body("tasks[0].volumes[0].fencingEpoch", equalTo(1))
                .body("tasks[0].volumes[1].mode", equalTo("RO")).body("tasks[0].volumes[1].readOnly", equalTo(true))
                .body("tasks[0].volumes[1].fencingEpoch", equalTo(4))
                .body("tasks[0].awaitingVolumes", nullValue())
                .body("tasks[1].identity", equalTo("db-1"))
                .body("tasks[1].volumes[0].fencingEpoch", equalTo(0))
                .body("tasks[1].awaitingVolumes", equalTo(List.of(data1.volumeId())));
    }

    @Test
    void aStatelessTaskHasNoIdentity() {
        String id = "/" + group + "/web";
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app(id, 1), 1, false, null)));
        TaskRecord task = TaskRecord.launched(null, id.substring(1) + ".x", id, 1, 0, "node-1", "10.0.0.1",
                List.of(), Instant.now(), null);
        kafka.send(Topics.TASKS.name(), task.taskId(), JsonCodec.encodeBytes(task));

        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("tasks", hasSize(1)).body("tasks[0].identity", nullValue())
                .body("tasks[0].volumes", equalTo(List.of())).body("tasks[0].awaitingVolumes", nullValue())
                .body("volumes", equalTo(List.of())));
    }

    @Test
    void deleteKeepsTheVolumesUnlessWipeIsAsked() {
        // Given two stateful apps
        String kept = givenStatefulApp(1, "kept");
        String wiped = givenStatefulApp(1, "wiped");

        // When one is deleted plainly and the other with wipe=true
        given().when().delete("/v1/apps" + kept).then().statusCode(200)
                .body("status", equalTo("DELETING")).body("wipe", equalTo(false));
        given().queryParam("wipe", "true").when().delete("/v1/apps" + wiped).then().statusCode(200)
                .body("status", equalTo("DELETING")).body("wipe", equalTo(true));

        // Then the scheduler is told to keep the first one's volumes and destroy the second one's
        assertFalse(assertInstanceOf(DeleteApp.class, command(kept, c -> true)).wipe());
        assertTrue(assertInstanceOf(DeleteApp.class, command(wiped, c -> true)).wipe());
    }

    @Test
    void aBadWipeValueIsRefusedAndNothingIsSent() {
        String id = givenStatefulApp(1);

        given().queryParam("wipe", "yes").when().delete("/v1/apps" + id).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("wipe"))
                .body("detail", containsString("'yes'"));

        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(), r -> id.equals(r.key()),
                Duration.ofSeconds(2)));
    }

    @Test
    void replacingAnIdentitySendsReplaceInstance() {
        String id = givenStatefulApp(3);

        given().when().post("/v1/apps" + id + "/instances/db-2/replace").then().statusCode(200)
                .body("id", equalTo(id));

        ReplaceInstance replace = assertInstanceOf(ReplaceInstance.class, command(id, c -> true));
        assertEquals(id, replace.appId());
        assertEquals("db-2", replace.identity());
    }

    @Test
    void replacingIsRefusedForAnUnknownAppAnUnknownIdentityOrAStatelessApp() {
        // Given a stateful app of 2 instances and a stateless one
        String id = givenStatefulApp(2);
        String web = "/" + group + "/web";
        kafka.send(Topics.APPS.name(), web, JsonCodec.encodeBytes(AppState.of(app(web, 1), 1, false, null)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + web).then().statusCode(200));

        // Then
        given().when().post("/v1/apps/" + group + "/nope/instances/nope-0/replace").then().statusCode(404)
                .contentType("application/problem+json");
        for (String identity : List.of("db-2", "web-0", "db-01", "db-x")) {
            given().when().post("/v1/apps" + id + "/instances/" + identity + "/replace").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", containsString("'" + identity + "' is not an identity of " + id))
                    .body("detail", containsString("db-0 to db-1"));
        }
        given().when().post("/v1/apps" + web + "/instances/web-0/replace").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("no persistent volumes"));
        assertThrows(AssertionError.class, () -> kafka.await(Topics.APP_COMMANDS.name(),
                r -> id.equals(r.key()) || web.equals(r.key()), Duration.ofSeconds(2)));
    }

    private String givenStatefulApp(int instances) {
        return givenStatefulApp(instances, "db");
    }

    /** An app {@code /<group>/<name>} with a local and an external volume, as the scheduler recorded it. */
    private String givenStatefulApp(int instances, String name) {
        String id = "/" + group + "/" + name;
        ParsedApp parsed = AppDefinitionParser.parse("""
                {"id": "%s", "cmd": "sleep 100", "instances": %d, "mem": 32,
                 "container": {"type": "MESOS", "volumes": [
                   {"containerPath": "data", "mode": "RW", "persistent": {"type": "root", "size": 512}},
                   {"containerPath": "/var/lib/pg", "mode": "RO",
                    "external": {"name": "pg-%s", "size": 1024, "provider": "sharedfs"}}]}}
                """.formatted(id, instances, group));
        AppDefinition app = assertInstanceOf(ParsedApp.Valid.class, parsed, () -> parsed.toString()).app();
        kafka.send(Topics.APPS.name(), id, JsonCodec.encodeBytes(AppState.of(app, 1, false, null)));
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/v1/apps" + id).then().statusCode(200)
                .body("status", equalTo("DEPLOYING")));
        return id;
    }

    private AppCommand command(String appId, Predicate<AppCommand> which) {
        return JsonCodec.decode(kafka.await(Topics.APP_COMMANDS.name(), r -> appId.equals(r.key())
                && which.test(JsonCodec.decode(r.value(), AppCommand.class)), WAIT).value(), AppCommand.class);
    }
}
