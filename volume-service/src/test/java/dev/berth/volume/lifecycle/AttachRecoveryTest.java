package dev.berth.volume.lifecycle;

import dev.berth.volume.AsBerthService;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PostgresTestResource;
import dev.berth.testkit.SharedInfra;
import dev.berth.volume.support.VolumeEventLog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
class AttachRecoveryTest extends AsBerthService {
    @Inject
    AttachRecovery recovery;

    @Test
    void anAttachmentACrashLeftAttachingIsFinishedAndAnnounced() throws Exception {
        // Given a grant committed by a service that died before provisioning it
        String v = "ext-" + UUID.randomUUID();
        var pg = SharedInfra.postgres();
        try (var connection = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             var insert = connection.prepareStatement("insert into volume (id, name, app_id, identity, type, "
                     + "provider, size_mib, state, attached_node_id, attached_task_id, fencing_epoch) "
                     + "values (?, 'pgdata-0', '/crash/db', 'db-0', 'EXTERNAL', 'sharedfs', 64, 'ATTACHING', "
                     + "'node-9', 't9', 4)")) {
            insert.setString(1, v);
            insert.executeUpdate();
        }

        // When the recovery pass runs (as at every start)
        assertTrue(recovery.run() >= 1);

        // Then it is provisioned and ATTACHED to the same holder with the same epoch, and announced
        given().when().get("/v1/volumes/" + v).then().statusCode(200).body("state", equalTo("ATTACHED"))
                .body("attachedNodeId", equalTo("node-9")).body("fencingEpoch", equalTo(4));
        assertTrue(Files.isDirectory(Path.of("target/shared-volumes").resolve(v)));
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        TopicBootstrap.ensureTopics(bootstrap);
        try (VolumeEventLog events = new VolumeEventLog(bootstrap)) {
            List<VolumeEvent> seen = events.awaitCount(v, 1);
            assertEquals(VolumeEvent.Kind.ATTACHED, seen.get(0).kind());
            assertEquals("t9", seen.get(0).taskId());
            assertEquals(VolumeState.ATTACHED, seen.get(0).volume().state());
        }
    }
}
