package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The life of a stateful app over the real parts, one node: stable identities, scale down and up on
 * the same volumes and data, the volume API, and deleting with and without wipe.
 */
class StatefulLifecycleIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String NODE = "sl-node-1";
    /** Appends one line per start to its local and its external volume, then sleeps. */
    private static final String COUNT_STARTS = "echo $MESOS_TASK_ID >> local/starts && echo $MESOS_TASK_ID >> "
            + "shared/starts && exec sleep 600";

    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService().agent(NODE, "zone=a");
    private static BerthCluster cluster;
    private static String gateway;

    @BeforeAll
    static void awaitNode() {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.awaitNodesListed(DEADLINE, NODE);
        cluster.assumeNamespaces("StatefulLifecycleIT", NODE);
    }

    @Test
    void scalingDownKeepsTheVolumesAndScalingUpReusesThemWithTheirData() throws IOException {
        String app = "/sl/db";
        // Given a stateful app with two identities, each with a local and an external volume
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "%s", "instances": 2, "cpus": 0.05, "mem": 32, "portDefinitions": [],
                 "taskKillGracePeriodSeconds": 1,
                 "container": {"type": "MESOS", "volumes": [
                   {"containerPath": "local", "mode": "RW", "persistent": {"size": 16}},
                   {"containerPath": "shared", "mode": "RW", "external": {"name": "sl-db", "size": 16}}]}}"""
                .formatted(app, COUNT_STARTS));
        assertEquals(201, created.status(), created.body());
        await("two identities running").atMost(DEADLINE).until(() -> cluster.running(app).size() == 2);
        Map<String, String> identities = identities(app);
        assertEquals(List.of("db-0", "db-1"), List.copyOf(new TreeMap<>(identities).keySet()));
        Path db1Local = localVolume("sl_db.db-1.local");
        Path db1Shared = cluster.sharedVolumeRoot().resolve("sl-db-1");
        await("db-1 started on its volumes").atMost(DEADLINE)
                .until(() -> lines(db1Local.resolve("starts")).size() == 1 && lines(db1Shared.resolve("starts")).size() == 1);

        // When it is scaled down to one
        scale(app, 1);
        await("one left").atMost(DEADLINE).until(() -> cluster.tasks(app).size() == 1);

        // Then db-0 stays, and db-1's volumes are released, data kept
        assertEquals(List.of("db-0"), List.copyOf(identities(app).keySet()));
        for (String volume : List.of("sl_db.db-1.local", "sl-db-1")) {
            await(volume + " released").atMost(DEADLINE).until(() -> state(volume).equals("RELEASED"));
        }
        assertEquals("ATTACHED", state("sl_db.db-0.local"));
        assertEquals(1, lines(db1Local.resolve("starts")).size());

        // And a volume still attached cannot be deleted
        Http.Response refused = Http.delete(gateway + "/v1/volumes/sl_db.db-0.local");
        assertEquals(409, refused.status(), refused.body());
        assertTrue(refused.body().contains("ATTACHED"), refused.body());

        // When it is scaled up again
        scale(app, 2);
        await("two again").atMost(DEADLINE).until(() -> cluster.running(app).size() == 2);

        // Then db-1 is back on the same volumes, with what it wrote before
        assertTrue(identities(app).containsKey("db-1"));
        await("db-1 restarted on its old volumes").atMost(DEADLINE)
                .until(() -> lines(db1Local.resolve("starts")).size() == 2 && lines(db1Shared.resolve("starts")).size() == 2);
        List<String> starts = lines(db1Local.resolve("starts"));
        assertFalse(starts.get(0).equals(starts.get(1)), "two different tasks of db-1: " + starts);
        assertEquals("ATTACHED", state("sl-db-1"));

        // When the app is deleted without wipe, its volumes stay, released
        assertEquals(200, Http.delete(gateway + "/v1/apps" + app).status());
        await(app + " removed").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + app).status() == 404);
        for (String volume : List.of("sl_db.db-0.local", "sl_db.db-1.local", "sl-db-0", "sl-db-1")) {
            await(volume + " released").atMost(DEADLINE).until(() -> state(volume).equals("RELEASED"));
        }
        assertTrue(Files.exists(db1Shared.resolve("starts")) && Files.exists(db1Local.resolve("starts")));

        // And an operator may then delete one: it is destroyed, data and all
        Http.Response deleted = Http.delete(gateway + "/v1/volumes/sl-db-1");
        assertTrue(deleted.status() == 200 || deleted.status() == 202, deleted.body());
        await("sl-db-1 deleted").atMost(DEADLINE).until(() -> state("sl-db-1").equals("DELETED")
                && !Files.exists(db1Shared));
        Http.Response deletedLocal = Http.delete(gateway + "/v1/volumes/sl_db.db-1.local");
        assertTrue(deletedLocal.status() == 200 || deletedLocal.status() == 202, deletedLocal.body());
        await("the local one removed from its node").atMost(DEADLINE).until(() -> !Files.exists(db1Local));
    }

    @Test
    void deletingWithWipeDestroysTheVolumes() {
        String app = "/sl/wiped";
        Http.Response created = Http.postJson(gateway + "/v1/apps", """
                {"id": "%s", "cmd": "echo hi > data/hello && exec sleep 600", "instances": 1, "cpus": 0.05, "mem": 32,
                 "portDefinitions": [], "taskKillGracePeriodSeconds": 1,
                 "container": {"type": "MESOS", "volumes": [
                   {"containerPath": "data", "mode": "RW", "external": {"name": "sl-wiped", "size": 16}}]}}"""
                .formatted(app));
        assertEquals(201, created.status(), created.body());
        Path data = cluster.sharedVolumeRoot().resolve("sl-wiped-0");
        await("written").atMost(DEADLINE).until(() -> Files.exists(data.resolve("hello")));

        assertEquals(400, Http.delete(gateway + "/v1/apps" + app + "?wipe=perhaps").status());
        assertEquals(200, Http.delete(gateway + "/v1/apps" + app + "?wipe=true").status());

        await("volume destroyed").atMost(DEADLINE).until(() -> state("sl-wiped-0").equals("DELETED")
                && !Files.exists(data));
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Identity → node of the app's tasks, as the gateway shows them. */
    private static Map<String, String> identities(String app) {
        Map<String, String> identities = new TreeMap<>();
        for (JsonNode task : cluster.tasks(app)) {
            identities.put(task.path("identity").asText(), task.path("node").asText());
        }
        return identities;
    }

    private static Path localVolume(String volumeId) {
        return cluster.agentWorkDir(NODE).resolve("volumes").resolve(volumeId);
    }

    private static String state(String volumeId) {
        Http.Response volume = Http.get(gateway + "/v1/volumes/" + volumeId);
        return volume.status() == 200 ? volume.json().path("state").asText() : "status " + volume.status();
    }

    private static void scale(String app, int instances) {
        Http.Response scaled = Http.patchJson(gateway + "/v1/apps" + app, "{\"instances\": " + instances + "}");
        assertTrue(scaled.status() / 100 == 2, scaled.body());
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
