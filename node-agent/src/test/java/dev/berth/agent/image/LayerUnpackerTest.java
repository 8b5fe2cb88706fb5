package dev.berth.agent.image;

import dev.berth.agent.image.ImagePullException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerUnpackerTest {
    @TempDir
    Path imagesDir;
    private final RecordedMarks marks = new RecordedMarks();

    /** Keeps what the unpacker asked to be marked, instead of asking the native helper. */
    static final class RecordedMarks implements LayerMarks {
        final List<Path> whiteouts = new ArrayList<>();
        final List<Path> opaque = new ArrayList<>();

        @Override
        public void whiteouts(List<Path> paths) {
            whiteouts.addAll(paths);
        }

        @Override
        public void opaque(List<Path> dirs) {
            opaque.addAll(dirs);
        }
    }

    private Path unpack(byte[] blob) throws Exception {
        Path file = Files.write(imagesDir.resolve("blob-" + System.nanoTime()), blob);
        return new LayerUnpacker(imagesDir, marks).unpackOnce(Digests.of(blob), () -> file);
    }

    @Test
    void unpacksDirectoriesFilesLinksModesOwnersAndTimes() throws Exception {
        byte[] blob = new TestLayer()
                .dir("./usr/", 0755)
                .dir("./usr/bin/", 0750)
                .file("./usr/bin/tool", "#!/bin/sh\n", 04755, 0, 0)
                .file("usr/share/doc/readme", "read me", 0640, 1234, 5678)
                .symlink("usr/bin/sh", "/bin/dash")
                .hardlink("usr/bin/tool2", "usr/bin/tool")
                .fifo("usr/pipe")
                .gzip();

        Path layer = unpack(blob);

        assertEquals(imagesDir.resolve("layers").resolve(Digests.hex(Digests.of(blob))), layer);
        Path tool = layer.resolve("usr/bin/tool");
        assertEquals("#!/bin/sh\n", Files.readString(tool));
        assertEquals(04755, (int) Files.getAttribute(tool, "unix:mode") & 07777, "setuid kept");
        assertEquals(0750, (int) Files.getAttribute(layer.resolve("usr/bin"), "unix:mode") & 07777);
        Path readme = layer.resolve("usr/share/doc/readme");
        assertEquals(1234, Files.getAttribute(readme, "unix:uid"));
        assertEquals(5678, Files.getAttribute(readme, "unix:gid"));
        assertEquals(0640, (int) Files.getAttribute(readme, "unix:mode") & 07777);
        assertEquals(FileTime.from(TestLayer.TIME), Files.getLastModifiedTime(readme));
        assertEquals(FileTime.from(TestLayer.TIME), Files.getLastModifiedTime(layer.resolve("usr/bin")),
                "a directory's time survives the files written into it");
        assertEquals(0755, (int) Files.getAttribute(layer.resolve("usr/share"), "unix:mode") & 07777,
                "a directory the tar does not list is made 0755");
        assertTrue(Files.isSymbolicLink(layer.resolve("usr/bin/sh")));
        assertEquals(Path.of("/bin/dash"), Files.readSymbolicLink(layer.resolve("usr/bin/sh")));
        assertTrue(Files.isSameFile(tool, layer.resolve("usr/bin/tool2")), "a hard link, not a copy");
        assertFalse(Files.exists(layer.resolve("usr/pipe"), LinkOption.NOFOLLOW_LINKS), "fifos are skipped");
        try (var left = Files.list(imagesDir.resolve("layers"))) {
            assertEquals(List.of(layer), left.toList(), "no temporary directory left");
        }
    }

    @Test
    void readsAPlainTarAsWellAsAGzippedOne() throws Exception {
        Path layer = unpack(new TestLayer().file("a", "plain").tar());

        assertEquals("plain", Files.readString(layer.resolve("a")));
    }

    @Test
    void handsWhiteoutsAndOpaqueDirectoriesToTheMarks() throws Exception {
        Path layer = unpack(new TestLayer()
                .file("etc/.wh.gone", "")
                .dir("opt", 0755)
                .file("opt/.wh..wh..opq", "")
                .file("opt/new", "n")
                .gzip());

        assertEquals(List.of(layer.resolve("etc/gone")), marks.whiteouts.stream()
                .map(p -> layer.resolve(p.getParent().getParent().relativize(p))).toList());
        assertEquals(1, marks.opaque.size());
        assertTrue(marks.opaque.get(0).endsWith("opt"));
        assertFalse(Files.exists(layer.resolve("etc/.wh.gone")), "the marker itself is not written");
        assertFalse(Files.exists(layer.resolve("opt/.wh..wh..opq")));
    }

    @Test
    void refusesAnEntryThatClimbsOutOfTheLayer() throws Exception {
        Path outside = imagesDir.resolve("escaped");

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> unpack(new TestLayer().file("a/../../../escaped", "x").tar()));

        assertEquals(Reason.INVALID, e.reason());
        assertTrue(e.getMessage().contains("points outside the layer"), e.getMessage());
        assertFalse(Files.exists(outside));
        assertNoLayers();
    }

    @Test
    void refusesAWhiteoutOfDotDot() throws Exception {
        Path precious = Files.writeString(imagesDir.resolve("precious"), "keep");

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> unpack(new TestLayer().dir("a", 0755).file("a/.wh...", "").tar()));

        assertEquals(Reason.INVALID, e.reason());
        assertEquals("keep", Files.readString(precious));
    }

    @Test
    void aLaterEntryReplacesADirectoryTreeOfTheSameName() throws Exception {
        Path layer = unpack(new TestLayer().dir("d", 0755).dir("d/sub", 0700).file("d", "now a file").tar());

        assertEquals("now a file", Files.readString(layer.resolve("d")));
    }

    @Test
    void refusesToWriteThroughALinkTheLayerMade() throws Exception {
        Path outside = Files.createDirectory(imagesDir.resolve("outside"));

        ImagePullException e = assertThrows(ImagePullException.class, () -> unpack(new TestLayer()
                .symlink("etc", outside.toString())
                .file("etc/passwd", "root::0:0::/:/bin/sh")
                .tar()));

        assertEquals(Reason.INVALID, e.reason());
        assertTrue(e.getMessage().contains("goes through 'etc', which is a link"), e.getMessage());
        try (var written = Files.list(outside)) {
            assertEquals(0, written.count());
        }
        assertNoLayers();
    }

    @Test
    void aFileEntryReplacesALinkOfTheSameNameInsteadOfWritingThroughIt() throws Exception {
        Path outside = imagesDir.resolve("target-outside");
        Files.writeString(outside, "untouched");

        Path layer = unpack(new TestLayer().symlink("f", outside.toString()).file("f", "mine").tar());

        assertEquals("untouched", Files.readString(outside));
        assertFalse(Files.isSymbolicLink(layer.resolve("f")));
        assertEquals("mine", Files.readString(layer.resolve("f")));
    }

    @Test
    void refusesAHardLinkToAFileOutsideTheLayer() {
        ImagePullException e = assertThrows(ImagePullException.class,
                () -> unpack(new TestLayer().hardlink("shadow", "../../../../etc/shadow").tar()));

        assertEquals(Reason.INVALID, e.reason());
    }

    @Test
    void aZstdLayerIsUnsupported() {
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};

        ImagePullException e = assertThrows(ImagePullException.class, () -> unpack(zstd));

        assertEquals(Reason.UNSUPPORTED, e.reason());
        assertTrue(e.getMessage().contains("zstd"), e.getMessage());
    }

    private void assertNoLayers() throws IOException {
        Path layers = imagesDir.resolve("layers");
        if (Files.isDirectory(layers)) {
            try (var left = Files.list(layers)) {
                assertEquals(0, left.count(), "nothing left in layers/");
            }
        }
    }
}
