package dev.berth.agent.volumes;

import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drivers and the publishing of a task's volumes, on plain files: no processes, no mounts. */
class DirectoryDriverTest {
    private final Path workDir = Directories.scratch("drivers-");
    private final Path sandbox = workDir.resolve("sandboxes/t1");
    private final NodeLease lease = NodeLease.in(workDir, Duration.ofSeconds(30));

    @AfterEach
    void cleanUp() {
        Directories.deleteQuietly(workDir);
    }

    @Test
    void theLocalDriverCreatesItsRootAndAVolumeOnFirstPublish() throws Exception {
        LocalDriver local = new LocalDriver(workDir.resolve("volumes"));

        Path dir = local.publish("app.db-0.data", 16, Optional.empty());

        assertEquals(workDir.resolve("volumes/app.db-0.data"), dir);
        assertTrue(Files.isDirectory(dir));
        assertEquals(dir, local.publish("app.db-0.data", 16, Optional.empty()), "the same directory again");
    }

    @Test
    void theSharedDriverNeverCreatesAMissingShareRoot() {
        SharedFsDriver shared = new SharedFsDriver(workDir.resolve("not-mounted"));

        VolumeRefusedException refused = assertThrows(VolumeRefusedException.class,
                () -> shared.publish("pgdata-0", 16, Optional.empty()));

        assertTrue(refused.getMessage().startsWith("VOLUME_FAILED: the shared volume root "), refused.getMessage());
        assertTrue(Files.notExists(workDir.resolve("not-mounted")));
    }

    @Test
    void containerPathsThatLeaveTheSandboxOrCoverTheKernelsFilesAreRefused() throws Exception {
        Files.createDirectories(sandbox);
        TaskVolumes volumes = TaskVolumes.of(workDir.resolve("volumes"), Optional.empty(), lease);
        for (String path : List.of("../other", "a/../../x", "/", "/proc", "/sys/fs", "/dev/shm", "/var/../etc", ".", "")) {
            VolumeRefusedException refused = assertThrows(VolumeRefusedException.class, () -> volumes.publish(
                    List.of(new VolumeMount("v", VolumeType.LOCAL, "local", path, false, 1, 1)), sandbox,
                    Optional.empty()), path);
            assertTrue(refused.getMessage().startsWith("VOLUME_FAILED: volume v: containerPath '" + path
                    + "' is refused"), refused.getMessage());
        }
    }

    @Test
    void anExternalVolumeIsRefusedFencedWhenTheNodesLeaseIsOver() throws Exception {
        Files.createDirectories(sandbox);
        Files.createDirectories(workDir.resolve("shared"));
        NodeLease shortLease = NodeLease.in(workDir, Duration.ofMillis(100));
        shortLease.expire();
        TaskVolumes volumes = TaskVolumes.of(workDir.resolve("volumes"), Optional.of(workDir.resolve("shared")),
                shortLease);

        VolumeRefusedException refused = assertThrows(VolumeRefusedException.class, () -> volumes.publish(
                List.of(new VolumeMount("pg-0", VolumeType.EXTERNAL, "sharedfs", "pg", false, 1, 1)), sandbox,
                Optional.empty()));

        assertEquals("FENCED: lease expired (node cut off from the cluster or agent down)", refused.getMessage());
        assertTrue(Files.notExists(workDir.resolve("shared/pg-0/.berth-epoch")), "no epoch claimed");
    }

    @Test
    void theNodeOffersItsProvidersOnlyWithMountNamespacesAndAlwaysItsLease() {
        TaskVolumes volumes = TaskVolumes.of(workDir.resolve("volumes"), Optional.of(workDir.resolve("shared")), lease);

        assertEquals(List.of("local", "sharedfs"), volumes.offer(true).providers());
        assertEquals(30_000, volumes.offer(true).leaseMillis());
        assertEquals(List.of(), volumes.offer(false).providers());
        assertEquals(List.of("local"), TaskVolumes.of(workDir, Optional.empty(), lease).offer(true).providers());
    }
}
