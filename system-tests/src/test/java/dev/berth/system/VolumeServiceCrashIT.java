package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The volume service is killed ({@code kill -9}) between "attach requested" and "attached": it is
 * started with a fault-injection delay that holds every attachment in ATTACHING for a while, killed
 * inside that window, and started again without the delay. The attachment is then finished, not
 * lost and not doubled, and the task runs on its volume.
 */
class VolumeServiceCrashIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String NODE = "vc-node-1";

    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
            .volumeServiceEnv("BERTH_VOLUME_PROVISION_DELAY", "30s")
            .agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNode() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE);
        cluster.assumeNamespaces("VolumeServiceCrashIT", NODE);
    }

    @Test
    void anAttachmentCutShortByACrashIsFinishedAfterTheRestartAndTheTaskRuns() {
        String app = "/vc/db";
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "echo $MESOS_TASK_ID >> data/starts && exec sleep 600", "instances": 1,
                 "cpus": 0.05, "mem": 32, "portDefinitions": [], "taskKillGracePeriodSeconds": 1,
                 "container": {"type": "MESOS", "volumes": [
                   {"containerPath": "data", "mode": "RW", "external": {"name": "vc-db", "size": 16}}]}}"""
                .formatted(app));
        assertEquals(201, created.status(), created.body());

        // Given the attachment requested and granted, but not finished
        String volumes = cluster.volumes().url() + "/v1/volumes/vc-db-0";
        await("vc-db-0 ATTACHING").atMost(DEADLINE).until(() -> Http.asService().get(volumes), r -> r.status() == 200
                && r.json().path("state").asText().equals("ATTACHING"));
        assertTrue(cluster.running(app).isEmpty(), "nothing runs before the volume is attached");

        // When the volume service is killed: the gateway still shows the volume from its view, and says
        // why it cannot show the volume's history (which only the service's database keeps)
        await("the gateway shows vc-db-0").atMost(DEADLINE).until(() ->
                Http.get(gateway + "/v1/volumes/vc-db-0").status() == 200);
        cluster.volumes().kill();
        Http.Response history = Http.get(gateway + "/v1/volumes/vc-db-0/history");
        assertEquals(502, history.status(), history.body());
        assertTrue(history.json().path("type").asText().endsWith("volume-service-unreachable"), history.body());
        assertEquals(200, Http.get(gateway + "/v1/volumes/vc-db-0").status());

        // and started again (now without the delay)
        cluster.restartVolumeService(Map.of("BERTH_VOLUME_PROVISION_DELAY", "0s"));

        // Then the attachment is finished once, and the task runs on the volume
        await(app + " running").atMost(DEADLINE).until(() -> cluster.running(app).size() == 1);
        String task = cluster.running(app).keySet().iterator().next();
        JsonNode volume = Http.asService().get(cluster.volumes().url() + "/v1/volumes/vc-db-0").json();
        assertEquals("ATTACHED", volume.path("state").asText(), volume.toString());
        assertEquals(NODE, volume.path("attachedNodeId").asText());
        assertEquals(task, volume.path("attachedTaskId").asText());
        assertEquals(1, volume.path("fencingEpoch").asLong(), "granted once: " + volume);
        await("the task wrote on its volume").atMost(DEADLINE).until(() ->
                Files.exists(cluster.sharedVolumeRoot().resolve("vc-db-0").resolve("starts")));

        // And the gateway's view agrees with the service's database
        await("the gateway shows it attached").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/volumes/vc-db-0"),
                r -> r.status() == 200 && r.json().path("state").asText().equals("ATTACHED")
                        && r.json().path("attachedTaskId").asText().equals(task));
        Http.Response told = Http.get(gateway + "/v1/volumes/vc-db-0/history");
        assertEquals(200, told.status(), told.body());
        assertTrue(told.body().contains("\"ATTACHED\""), told.body());
    }
}
