package dev.berth.agent.volumes;

import dev.berth.agent.host.HostCommand;
import dev.berth.contracts.messages.DestroyVolume;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local volumes as loop-mounted ext4 images, over the host's real loop devices and mounts. Skipped, saying
 * why, where the host cannot loop-mount an image (not root, no loop devices, no mkfs). Every test removes
 * what it mounted and attached, also when it fails.
 */
class ImageVolumesTest {
    private static final ImageTools.Tools TOOLS = ImageTools.find();
    private static Optional<String> cannot;

    private final Path workDir = Directories.scratch("images-");
    private final Path root = workDir.resolve("volumes");

    @BeforeAll
    static void probeTheHost() {
        Path scratch = Directories.scratch("image-probe-");
        try {
            cannot = ImageProbe.tryIn(scratch, TOOLS);
        } finally {
            LoopLeftovers.removeUnder(scratch);
            Directories.deleteQuietly(scratch);
        }
    }

    @BeforeEach
    void needLoopMounts() {
        if (cannot.isPresent()) {
            System.out.println("ImageVolumesTest SKIPPED: this host cannot loop-mount an image: " + cannot.get());
        }
        Assumptions.assumeTrue(cannot.isEmpty(), () -> "SKIPPED: this host cannot loop-mount an image: "
                + cannot.get());
    }

    @AfterEach
    void removeMountsAndLoopDevices() throws IOException {
        LoopLeftovers.removeUnder(workDir);
        List<Path> mounts = LoopLeftovers.mountsUnder(workDir);
        List<String> devices = LoopLeftovers.loopDevicesUnder(workDir);
        Directories.deleteQuietly(workDir);
        assertEquals(List.of(), mounts, "mounts left behind");
        assertEquals(List.of(), devices, "loop devices left behind");
    }

    @Test
    void aNewVolumeIsAnEmptyMountedImageOfItsSizeOwnedByTheTasksUser() throws Exception {
        LocalDriver local = imageDriver();

        Path dir = local.publish("app.db-0.data", 16, Optional.of(new VolumeDriver.Owner("nobody", 65534, 65534)));

        assertEquals(root.resolve("app.db-0.data"), dir);
        assertEquals("ext4", MountTable.at(dir.toRealPath()).orElseThrow().fsType(), "mounted on the host");
        assertEquals(16L << 20, Files.size(root.resolve(".images/app.db-0.data.img")), "16 MiB image");
        try (var entries = Files.list(dir)) {
            assertEquals(List.of(), entries.toList(), "empty, as a directory volume is (no lost+found)");
        }
        assertEquals(65534, Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS), "the task's user");
        assertTrue(blocksOf(root.resolve(".images/app.db-0.data.img")) < (16L << 20) / 512, "sparse");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(".images"))),
                "the images are the agent's alone");
    }

    @Test
    void aWritePastTheSizeFailsWithNoSpaceLeftAndTheVolumeStaysUsable() throws Exception {
        // Given an 8 MiB volume
        Path dir = imageDriver().publish("app.full-0.data", 8, Optional.empty());

        // When 16 MiB are written into it
        Process dd = new ProcessBuilder("dd", "if=/dev/zero", "of=" + dir.resolve("big"), "bs=1M", "count=16")
                .redirectErrorStream(true).start();
        String said = new String(dd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        // Then the write fails with ENOSPC
        assertNotEquals(0, dd.waitFor(), said);
        assertTrue(said.contains("No space left on device"), said);
        // and once the file is gone the volume takes writes again
        Files.delete(dir.resolve("big"));
        Files.writeString(dir.resolve("small"), "still fine");
        assertEquals("still fine", Files.readString(dir.resolve("small")));
    }

    @Test
    void theDataSurvivesPublishingAgainAndANewAgentsDriverFindsTheMountedImage() throws Exception {
        // Given a volume with data
        Path dir = imageDriver().publish("app.keep-0.data", 8, Optional.empty());
        Files.writeString(dir.resolve("file"), "kept");

        // When it is published again, by the same driver and by one of a restarted agent
        imageDriver().publish("app.keep-0.data", 8, Optional.empty());
        Path again = imageDriver().publish("app.keep-0.data", 8, Optional.empty());

        // Then the data is there, on the one mount and loop device made the first time
        assertEquals("kept", Files.readString(again.resolve("file")));
        assertEquals(List.of(dir.toRealPath()), LoopLeftovers.mountsUnder(workDir), "mounted once");
        assertEquals(1, LoopLeftovers.loopDevicesUnder(workDir).size(), "one loop device");
    }

    @Test
    void anImageThatIsNoLongerMountedIsMountedAgainAtTheNextPublishWithItsData() throws Exception {
        // Given a volume with data whose image was unmounted (the host restarted)
        Path dir = imageDriver().publish("app.boot-0.data", 8, Optional.empty());
        Files.writeString(dir.resolve("file"), "before the reboot");
        HostCommand.of("umount", dir.toString()).runOrFail();
        assertEquals(List.of(), LoopLeftovers.mountsUnder(workDir));

        // When a new agent's driver publishes it
        Path again = imageDriver().publish("app.boot-0.data", 8, Optional.empty());

        // Then it is mounted again, with its data
        assertTrue(MountTable.at(again.toRealPath()).isPresent());
        assertEquals("before the reboot", Files.readString(again.resolve("file")));
    }

    @Test
    void destroyVolumeLeavesNoMountNoLoopDeviceNoImageAndNoDirectory() throws Exception {
        // Given an image volume with data
        LocalDriver local = imageDriver();
        Files.writeString(local.publish("app.gone-0.data", 8, Optional.empty()).resolve("file"), "x");
        VolumeRemoval removal = new VolumeRemoval(TaskVolumes.of(local, Optional.empty(), null), Set::of,
                Runnable::run);

        // When it is destroyed (twice: a redelivery)
        removal.handle(DestroyVolume.of("node-1", "app.gone-0.data", null));

        // Then nothing of it is left on the host
        assertEquals(List.of(), LoopLeftovers.mountsUnder(workDir), "mounts");
        assertEquals(List.of(), LoopLeftovers.loopDevicesUnder(workDir), "loop devices");
        assertFalse(Files.exists(root.resolve(".images/app.gone-0.data.img")), "image");
        assertFalse(Files.exists(root.resolve("app.gone-0.data")), "directory");
        assertEquals(VolumeRemoval.Outcome.DESTROYED, removal.destroy("app.gone-0.data"));
    }

    @Test
    void aVolumeMadeAsADirectoryStaysADirectoryOnceImagesAreOn() throws Exception {
        // Given a volume made as a directory, before images were turned on
        Path dir = new LocalDriver(root).publish("app.old-0.data", 8, Optional.empty());
        Files.writeString(dir.resolve("file"), "old");

        // When a driver that makes images publishes it
        Path again = imageDriver().publish("app.old-0.data", 8, Optional.empty());

        // Then it is the same directory, not an image, and it is destroyed like one
        assertEquals("old", Files.readString(again.resolve("file")));
        assertEquals(List.of(), LoopLeftovers.mountsUnder(workDir));
        assertFalse(Files.exists(root.resolve(".images/app.old-0.data.img")));
        imageDriver().delete("app.old-0.data");
        assertFalse(Files.exists(dir));
    }

    @Test
    void theDirectoryFormatMakesPlainDirectoriesEvenWithTheToolsAtHand() throws Exception {
        LocalDriver local = new LocalDriver(root, LocalVolumeFormat.DIRECTORY, TOOLS);

        Path dir = local.publish("app.plain-0.data", 8, Optional.empty());

        assertTrue(Files.isDirectory(dir));
        assertEquals(List.of(), LoopLeftovers.mountsUnder(workDir));
        assertFalse(Files.exists(root.resolve(".images")));
    }

    @Test
    void theProbeLeavesNothingBehind() throws IOException {
        assertEquals(Optional.empty(), ImageProbe.tryIn(root, TOOLS));

        assertEquals(List.of(), LoopLeftovers.mountsUnder(workDir));
        assertEquals(List.of(), LoopLeftovers.loopDevicesUnder(workDir));
        try (var entries = Files.list(root.resolve(".images"))) {
            assertEquals(List.of(), entries.toList());
        }
    }

    @Test
    void howLongMakingAnImageVolumeTakes() throws Exception {
        LocalDriver local = imageDriver();
        for (long size : new long[]{8, 512, 10_240}) {
            long start = System.nanoTime();
            local.publish("app.time-" + size + ".data", size, Optional.empty());
            long created = System.nanoTime();
            local.publish("app.time-" + size + ".data", size, Optional.empty());
            long republished = System.nanoTime();
            System.out.printf("ImageVolumesTest: a %d MiB image volume: created and mounted in %d ms, published "
                    + "again in %d ms%n", size, (created - start) / 1_000_000, (republished - created) / 1_000_000);
            local.delete("app.time-" + size + ".data");
        }
        assertEquals(List.of(), LoopLeftovers.mountsUnder(workDir));
    }

    private LocalDriver imageDriver() {
        return new LocalDriver(root, LocalVolumeFormat.IMAGE, TOOLS);
    }

    /** 512-byte blocks the file takes on disk. */
    private static long blocksOf(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String blocks = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        stat.waitFor();
        return Long.parseLong(blocks);
    }
}
