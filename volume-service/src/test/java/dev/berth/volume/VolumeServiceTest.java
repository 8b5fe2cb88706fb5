package dev.berth.volume;

import dev.berth.testkit.PostgresTestResource;
import dev.berth.testkit.SharedInfra;
import dev.berth.volume.volume.Volume;
import dev.berth.volume.volume.VolumeService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class VolumeServiceTest {
    
    @Inject
    VolumeService service;

    @Test
    void flywayCreatedTheSchemaInTheRealDatabase() throws Exception {
        var pg = SharedInfra.postgres();
        try (var connection = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             var rs = connection.createStatement().executeQuery(
                     "select version, success from flyway_schema_history where version = '1'")) {
            assertTrue(rs.next(), "V1 applied");
            assertTrue(rs.getBoolean("success"));
        }
    }

    @Test
    void listsVolumesFromPostgresWithFiltersAndServesOne() {
        String app = "/vol-" + UUID.randomUUID();
        given().when().get("/volumes?app=" + app).then().statusCode(200).body("size()", equalTo(0));

        Volume local = volume(app, "db-0", Volume.Type.LOCAL, "node-1");
        Volume external = volume(app, "db-1", Volume.Type.EXTERNAL, null);
        onVertx(() -> service.create(local));
        onVertx(() -> service.create(external));

        given().when().get("/volumes?app=" + app).then().statusCode(200).body("id", equalTo(
                java.util.List.of(local.id, external.id)));
        given().when().get("/v1/volumes?app=" + app + "&node=node-1").then().statusCode(200)
                .body("id", equalTo(java.util.List.of(local.id)));
        given().when().get("/volumes?state=released").then().statusCode(200).body("id", not(hasItem(local.id)));
        given().when().get("/volumes/" + external.id).then().statusCode(200)
                .body("type", equalTo("EXTERNAL")).body("fencingEpoch", equalTo(0)).body("state", equalTo("AVAILABLE"));
        given().when().get("/v1/volumes/" + local.id).then().statusCode(200).body("nodeId", equalTo("node-1"));
    }

    @Test
    void unknownVolumesAndBadFiltersAreProblems() {
        given().when().get("/volumes/no-such-volume").then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no volume no-such-volume"));
        given().when().get("/volumes?state=melted").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void twoWritersOfTheSameVersionCannotBothWin() {
        Volume v = onVertx(() -> service.create(volume("/vol-" + UUID.randomUUID(), "db-0", Volume.Type.EXTERNAL, null)));
        long readVersion = v.version;

        onVertx(() -> service.changeState(v.id, readVersion, Volume.State.ATTACHING, "node-1"));
        RuntimeException loser = assertThrows(RuntimeException.class, () ->
                onVertx(() -> service.changeState(v.id, readVersion, Volume.State.ATTACHING, "node-2")));

        assertTrue(loser.getClass().getName().contains("StaleObjectState")
                || loser.getClass().getName().contains("OptimisticLock"), loser.toString());
        Volume after = onVertx(() -> service.find(v.id));
        assertEquals("node-1", after.attachedNodeId);
        assertEquals(readVersion + 1, after.version);
    }

    @Test
    void healthIsUpWithTheDatabaseCheck() {
        given().when().get("/q/health").then().statusCode(200).body("checks.name", hasItem(
                org.hamcrest.Matchers.containsString("Database")));
    }

    /** Hibernate Reactive runs on a Vert.x context; tests call the service from one and wait. */
    private static <T> T onVertx(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> call) {
        try {
            return io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(call);
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new RuntimeException(t);
        }
    }

    private static Volume volume(String app, String identity, Volume.Type type, String node) {
        Volume v = new Volume();
        v.id = UUID.randomUUID().toString();
        v.name = "data";
        v.appId = app;
        v.identity = identity;
        v.type = type;
        v.provider = type == Volume.Type.LOCAL ? "local" : "sharedfs";
        v.sizeMib = 64;
        v.nodeId = node;
        return v;
    }
}
