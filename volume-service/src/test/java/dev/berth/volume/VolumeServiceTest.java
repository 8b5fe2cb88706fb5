package dev.berth.volume;

import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PostgresTestResource;
import dev.berth.testkit.SharedInfra;
import dev.berth.volume.lifecycle.Outcome;
import dev.berth.volume.lifecycle.VolumeCommands;
import dev.berth.volume.support.Commands;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP API over the real PostgreSQL, with volumes brought into shape through the lifecycle. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
class VolumeServiceTest extends AsBerthService {
    private static final Path SHARED_ROOT = Path.of("target/shared-volumes");

    @Inject
    VolumeCommands commands;

    @Test
    void flywayCreatedTheSchemaInTheRealDatabase() throws Exception {
        var pg = SharedInfra.postgres();
        try (var connection = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             var rs = connection.createStatement().executeQuery(
                     "select count(*) from flyway_schema_history where version in ('1', '2') and success")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(1), "V1 and V2 applied");
        }
    }

    @Test
    void listsVolumesWithFiltersAndServesOne() {
        String app = "/vol-" + UUID.randomUUID();
        given().when().get("/volumes?app=" + app).then().statusCode(200).body("size()", equalTo(0));

        String local = "local-" + UUID.randomUUID();
        String external = "ext-" + UUID.randomUUID();
        commands.execute(Commands.local(local, app, "node-1", "t1"));
        commands.execute(Commands.external(external, app, "node-2", "t2"));

        given().when().get("/volumes?app=" + app).then().statusCode(200).body("id", equalTo(List.of(local, external)));
        given().when().get("/v1/volumes?app=" + app + "&node=node-1").then().statusCode(200)
                .body("id", equalTo(List.of(local)));
        given().when().get("/v1/volumes?app=" + app + "&state=attached").then().statusCode(200)
                .body("size()", equalTo(2));
        given().when().get("/volumes?state=released").then().statusCode(200).body("id", not(hasItem(local)));
        given().when().get("/volumes/" + external).then().statusCode(200)
                .body("type", equalTo("EXTERNAL")).body("fencingEpoch", equalTo(1)).body("state", equalTo("ATTACHED"))
                .body("attachedNodeId", equalTo("node-2")).body("attachedTaskId", equalTo("t2"));
        given().when().get("/v1/volumes/" + local).then().statusCode(200).body("nodeId", equalTo("node-1"));
    }

    @Test
    void unknownVolumesAndBadFiltersAreProblems() {
        given().when().get("/volumes/no-such-volume").then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no volume no-such-volume"));
        given().when().get("/v1/volumes/no-such-volume/history").then().statusCode(404)
                .contentType("application/problem+json");
        given().when().delete("/v1/volumes/no-such-volume").then().statusCode(404)
                .contentType("application/problem+json");
        given().when().get("/volumes?state=melted").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void onlyAReleasedVolumeCanBeDeletedThroughTheApiAndTheDeleteIsAudited() {
        String app = "/vol-" + UUID.randomUUID();
        String v = "ext-" + UUID.randomUUID();
        commands.execute(Commands.external(v, app, "node-1", "t1"));
        assertTrue(Files.isDirectory(SHARED_ROOT.resolve(v)));

        given().when().delete("/v1/volumes/" + v).then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("volume " + v + " is ATTACHED to node node-1; only a released volume can "
                        + "be deleted"));
        assertTrue(Files.isDirectory(SHARED_ROOT.resolve(v)), "data kept");

        commands.execute(DetachVolume.of(v, "node-1", "t1", null));
        commands.execute(ReleaseVolume.of(v, "scaled down", null));
        given().when().delete("/volumes/" + v).then().statusCode(200).body("state", equalTo("DELETED"));
        assertFalse(Files.exists(SHARED_ROOT.resolve(v)), "data destroyed");
        given().when().delete("/v1/volumes/" + v).then().statusCode(200).body("state", equalTo("DELETED"));

        given().when().get("/v1/volumes/" + v + "/history").then().statusCode(200)
                .body("kind", equalTo(List.of("CREATED", "ATTACHING", "ATTACHED", "DELETE_REFUSED", "DETACHED",
                        "DETACHED", "RELEASED", "DELETED")))
                .body("[6].reason", equalTo("scaled down"));
    }

    @Test
    void concurrentAttachesFromTwoNodesLeaveExactlyOneHolder() throws Exception {
        for (int round = 0; round < 5; round++) {
            // Given an available volume
            String app = "/vol-" + UUID.randomUUID();
            String v = "ext-" + UUID.randomUUID();
            commands.execute(Commands.external(v, app, "node-1", "t1"));
            commands.execute(DetachVolume.of(v, "node-1", "t1", null));

            // When two nodes ask for it at the same moment
            var start = new java.util.concurrent.CyclicBarrier(2);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var a = pool.submit(() -> {
                    start.await();
                    return commands.execute(Commands.external(v, app, "node-a", "ta"));
                });
                var b = pool.submit(() -> {
                    start.await();
                    return commands.execute(Commands.external(v, app, "node-b", "tb"));
                });
                List<Outcome> outcomes = List.of(a.get(), b.get());

                // Then exactly one wins; the other is refused, and the volume is the winner's
                List<VolumeEvent.Kind> announced = outcomes.stream().map(Outcome::announced).sorted().toList();
                assertEquals(List.of(VolumeEvent.Kind.ATTACHED, VolumeEvent.Kind.ATTACH_REFUSED), announced);
                Outcome winner = outcomes.stream().filter(o -> o.announced() == VolumeEvent.Kind.ATTACHED)
                        .findFirst().orElseThrow();
                given().when().get("/v1/volumes/" + v).then().statusCode(200)
                        .body("attachedNodeId", equalTo(winner.volume().attachedNodeId()))
                        .body("fencingEpoch", equalTo(2));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void healthIsUpWithTheDatabaseAndKafkaChecks() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health").then()
                .statusCode(200)
                .body("checks.name", hasItem(org.hamcrest.Matchers.containsString("Database")))
                .body("checks.name", hasItem("Volume commands")));
    }
}
