package dev.berth.agent.volumes;

import dev.berth.contracts.messages.DestroyVolume;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VolumeRemovalTest {
    private final Path workDir = Directories.scratch("removal-");
    private final Path root = workDir.resolve("volumes");
    private final TaskVolumes volumes = TaskVolumes.of(root, Optional.empty(),
            NodeLease.in(workDir, NodeLease.DEFAULT_LENGTH));

    @AfterEach
    void cleanUp() {
        Directories.deleteQuietly(workDir);
    }

    @Test
    void destroyVolumeRemovesTheLocalDirectoryWithItsDataButNotWhatALinkInItPointsAt() throws Exception {
        // Given a local volume with data, and a link in it to a file outside
        Path outside = Files.writeString(workDir.resolve("precious"), "keep");
        Path volume = Files.createDirectories(root.resolve("app.db-0.data/sub"));
        Files.writeString(volume.resolve("file"), "x");
        Files.createSymbolicLink(root.resolve("app.db-0.data/link"), outside);
        VolumeRemoval removal = new VolumeRemoval(volumes, Set::of, Runnable::run);

        // When it is destroyed (twice: a redelivery)
        removal.handle(DestroyVolume.of("node-1", "app.db-0.data", null));

        // Then it is gone, and what it linked to is not
        assertFalse(Files.exists(root.resolve("app.db-0.data")));
        assertEquals("keep", Files.readString(outside));
        assertEquals(VolumeRemoval.Outcome.DESTROYED, removal.destroy("app.db-0.data"), "a gone volume is destroyed");
    }

    @Test
    void aVolumeIdThatPointsOutsideTheVolumeRootIsRefused() throws Exception {
        Files.createDirectories(workDir.resolve("sandboxes/t1"));
        Files.createDirectories(root);
        VolumeRemoval removal = new VolumeRemoval(volumes, Set::of, Runnable::run);

        for (String escape : new String[]{"..", "../sandboxes", ".", "a/../..", "/etc", "", ".berth-epoch"}) {
            assertEquals(VolumeRemoval.Outcome.REFUSED, removal.destroy(escape), escape);
        }
        assertTrue(Files.isDirectory(workDir.resolve("sandboxes/t1")));
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void aVolumeARunningTaskHoldsIsNotDestroyed() throws Exception {
        Path volume = Files.createDirectories(root.resolve("app.db-1.data"));
        VolumeRemoval removal = new VolumeRemoval(volumes, () -> Set.of("app.db-1.data"), Runnable::run);

        assertEquals(VolumeRemoval.Outcome.IN_USE, removal.destroy("app.db-1.data"));
        assertTrue(Files.isDirectory(volume));
    }
}
