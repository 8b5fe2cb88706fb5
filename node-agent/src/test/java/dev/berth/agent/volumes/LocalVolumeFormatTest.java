package dev.berth.agent.volumes;

import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The choice of local volume format at agent start, and the probe where it cannot make an image. */
class LocalVolumeFormatTest {
    private final Path workDir = Directories.scratch("format-");

    @AfterEach
    void cleanUp() {
        LoopLeftovers.removeUnder(workDir);
        Directories.deleteQuietly(workDir);
    }

    @Test
    void autoFallsBackToDirectoriesWhenMkfsIsMissingAndSaysWhy() throws Exception {
        // Given a host whose mkfs is not there
        ImageTools.Tools noMkfs = new ImageTools.Tools(Optional.of(new ImageTools(List.of(
                workDir.resolve("no-such/mkfs.ext4").toString()), Path.of("/bin/mount"), Path.of("/bin/umount"),
                Path.of("/sbin/losetup"))), "");

        // When the agent starts with auto
        LocalVolumeFormat.Choice choice = LocalVolumeFormat.choose("auto",
                () -> ImageProbe.tryIn(workDir.resolve("volumes"), noMkfs));

        // Then local volumes are directories, and the log says why
        assertEquals(LocalVolumeFormat.DIRECTORY, choice.format());
        assertTrue(choice.why().startsWith("images do not work here: "), choice.why());
        assertTrue(choice.why().contains("mkfs.ext4") || choice.why().contains("root"), choice.why());
        // and the probe left nothing
        assertEquals(List.of(), LoopLeftovers.loopDevicesUnder(workDir));
        assertFalse(Files.exists(workDir.resolve("volumes/.images/.probe-" + ProcessHandle.current().pid() + ".img")));
    }

    @Test
    void autoFallsBackToDirectoriesWhenTheHostHasNoImageTools() {
        LocalVolumeFormat.Choice choice = LocalVolumeFormat.choose("auto", () -> ImageProbe.tryIn(
                workDir.resolve("volumes"), new ImageTools.Tools(Optional.empty(), "neither mkfs.ext4 nor mke2fs "
                        + "is installed")));

        assertEquals(LocalVolumeFormat.DIRECTORY, choice.format());
        assertTrue(choice.why().contains("mkfs.ext4") || choice.why().contains("root"), choice.why());
    }

    @Test
    void autoMakesImagesWhenTheProbeWorks() {
        assertEquals(LocalVolumeFormat.IMAGE, LocalVolumeFormat.choose("auto", Optional::empty).format());
    }

    @Test
    void imageRefusesToStartWhenTheProbeFails() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> LocalVolumeFormat.choose("image", () -> Optional.of("no free loop device")));

        assertEquals("berth.agent.local-volume-format=image, but this host cannot loop-mount a filesystem image: "
                + "no free loop device", refused.getMessage());
    }

    @Test
    void directoryNeverProbes() {
        LocalVolumeFormat.Choice choice = LocalVolumeFormat.choose("directory", () -> fail("probed"));

        assertEquals(LocalVolumeFormat.DIRECTORY, choice.format());
    }

    @Test
    void anUnknownFormatIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LocalVolumeFormat.choose("zfs", Optional::empty));
    }

    @Test
    void anImageVolumeOnANodeThatCannotMountImagesFailsWithTheReason() throws Exception {
        // Given a volume made as an image, and a driver without image tools
        Path root = workDir.resolve("volumes");
        Files.createDirectories(root.resolve(".images"));
        Files.writeString(root.resolve(".images/app.db-0.data.img"), "");
        LocalDriver local = new LocalDriver(root, LocalVolumeFormat.DIRECTORY,
                new ImageTools.Tools(Optional.empty(), "mount is not installed"));

        VolumeRefusedException refused = assertThrows(VolumeRefusedException.class,
                () -> local.publish("app.db-0.data", 8, Optional.empty()));

        assertEquals("VOLUME_FAILED: volume app.db-0.data is a filesystem image, and this node cannot mount images: "
                + "mount is not installed", refused.getMessage());
    }

    @Test
    void mountPointsWithSpacesAreReadFromMountinfo() {
        List<MountTable.Mount> mounts = MountTable.parse("""
                36 35 98:0 / /var/lib/berth/volumes/a\\040b rw,relatime shared:1 - ext4 /dev/loop3 rw
                37 35 98:0 / /proc rw - proc proc rw
                """);

        assertEquals(new MountTable.Mount(Path.of("/var/lib/berth/volumes/a b"), "ext4", "/dev/loop3"), mounts.get(0));
        assertEquals(2, mounts.size());
    }
}
