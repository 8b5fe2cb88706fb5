package dev.berth.agent.image;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whiteouts and opaque directories as overlayfs reads them: two layers unpacked with the real helper's
 * marks, stacked by a real overlay mount in a mount namespace of the test's own.
 */
class OverlayMarksTest {
    @TempDir
    Path dir;
    private Path tool;

    @BeforeEach
    void helper() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "SKIPPED: whiteouts (mknod) and trusted xattrs need root");
        URL built = OverlayMarksTest.class.getResource("/native/berth-confine");
        Assumptions.assumeTrue(built != null, "SKIPPED: the agent was built without its native helper");
        tool = dir.resolve("berth-confine");
        try (var in = built.openStream()) {
            Files.copy(in, tool, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aWhiteoutDeletesALowerFileAndAnOpaqueDirectoryHidesTheLowerContent() throws Exception {
        byte[] bottom = new TestLayer()
                .file("etc/keep", "k").file("etc/gone", "g")
                .file("opt/old", "o").file("opt/sub/older", "o")
                .gzip();
        byte[] top = new TestLayer()
                .file("etc/.wh.gone", "")
                .dir("opt", 0755).file("opt/.wh..wh..opq", "").file("opt/new", "n")
                .gzip();
        Path images = Files.createDirectory(dir.resolve("images"));
        LayerUnpacker unpacker = new LayerUnpacker(images, new ConfineLayerMarks(tool));
        Path bottomDir = unpacker.unpackOnce(Digests.of(bottom), () -> write("b", bottom));
        Path topDir = unpacker.unpackOnce(Digests.of(top), () -> write("t", top));

        String seen = inOverlay(List.of(topDir, bottomDir), "ls -A M/etc; echo ---; ls -A M/opt");

        assertEquals("keep\n---\nnew\n", seen);
    }

    @Test
    void theHelperRefusesAWhiteoutWhereSomethingExists() throws Exception {
        Path existing = Files.writeString(dir.resolve("there"), "x");

        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> new ConfineLayerMarks(tool).whiteouts(List.of(existing)));

        assertTrue(e.getMessage().contains("cannot make the whiteout"), e.getMessage());
    }

    private Path write(String name, byte[] blob) {
        try {
            return Files.write(dir.resolve(name), blob);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String inOverlay(List<Path> lowerTopFirst, String script) throws Exception {
        Path upper = Files.createDirectory(dir.resolve("U"));
        Path work = Files.createDirectory(dir.resolve("W"));
        Files.createDirectory(dir.resolve("M"));
        String lower = String.join(":", lowerTopFirst.stream().map(Path::toString).toList());
        Process process = new ProcessBuilder("unshare", "-m", "sh", "-c",
                "mount -t overlay overlay -o lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work
                        + " M && " + script)
                .directory(dir.toFile()).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the overlay check ended");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeFalse(output.contains("unknown filesystem type") || output.contains("Operation not permitted"),
                "SKIPPED: no overlayfs here: " + output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
