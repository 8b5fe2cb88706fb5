package dev.berth.testkit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * One image layer, written in memory as a gzip-compressed tar, for tests of the code that pulls and
 * unpacks images: what an image author's build would produce, entry by entry, including the parts an
 * unpacker must get right (modes, symlinks, whiteouts that delete a lower layer's file, opaque
 * directories that hide a lower layer's whole directory) and big files for benchmarks.
 *
 * <pre>
 * byte[] layer = LayerTar.create()
 *         .dir("bin", 0755).file("bin/busybox", Path.of("/bin/busybox"), 0755)
 *         .symlink("bin/sh", "busybox")
 *         .whiteout("etc/motd")
 *         .bytes();
 * </pre>
 *
 * <p>Paths are relative to the image's root ({@code bin/sh}, a leading {@code /} is dropped), in the
 * order given; parent directories are not added by themselves (a real layer may lack them too). Every
 * entry is owned by 0:0 and dated at the epoch, so the same calls give the same bytes, and so the
 * same digests.
 */
public final class LayerTar {
    /** How a whiteout names the file it deletes: {@code dir/.wh.name} (the OCI image layer spec). */
    public static final String WHITEOUT_PREFIX = ".wh.";
    /** The entry that makes its directory opaque: nothing of lower layers shows through it. */
    public static final String OPAQUE_MARKER = ".wh..wh..opq";

    private final List<Entry> entries = new ArrayList<>();

    private LayerTar() {
    }

    public static LayerTar create() {
        return new LayerTar();
    }

    /** A directory with this mode (e.g. {@code 0755}). */
    public LayerTar dir(String path, int mode) {
        entries.add(new Entry(path, mode, Kind.DIR, null, null, 0, 0));
        return this;
    }

    /** A regular file with this content. */
    public LayerTar file(String path, byte[] content, int mode) {
        entries.add(new Entry(path, mode, Kind.FILE, content.clone(), null, 0, 0));
        return this;
    }

    /** A regular file with this text, in UTF-8. */
    public LayerTar file(String path, String content, int mode) {
        return file(path, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    /** A regular file with a file of this machine as its content (a static binary, say: /bin/busybox). */
    public LayerTar file(String path, Path hostFile, int mode) {
        try {
            return file(path, Files.readAllBytes(hostFile), mode);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + hostFile + " for the layer", e);
        }
    }

    /** A symbolic link to {@code target}, as given (relative, or absolute inside the image). */
    public LayerTar symlink(String path, String target) {
        entries.add(new Entry(path, 0777, Kind.SYMLINK, null, target, 0, 0));
        return this;
    }

    /** Deletes {@code path} (file or directory) of the layers below: an empty {@code .wh.<name>} beside it. */
    public LayerTar whiteout(String path) {
        String clean = relative(path);
        int slash = clean.lastIndexOf('/');
        String whiteout = slash < 0 ? WHITEOUT_PREFIX + clean
                : clean.substring(0, slash + 1) + WHITEOUT_PREFIX + clean.substring(slash + 1);
        return file(whiteout, new byte[0], 0644);
    }

    /** Hides everything the layers below have in {@code dir}: an empty {@code dir/.wh..wh..opq}. */
    public LayerTar opaque(String dir) {
        return file(relative(dir) + "/" + OPAQUE_MARKER, new byte[0], 0644);
    }

    /**
     * A file of {@code size} pseudo-random bytes from {@code seed}: big and incompressible (a benchmark's
     * 50 MB image), the same bytes for the same seed, and never held in memory but as the layer.
     */
    public LayerTar random(String path, long size, long seed) {
        entries.add(new Entry(path, 0644, Kind.RANDOM, null, null, size, seed));
        return this;
    }

    /** The layer: the tar of every entry so far, gzip-compressed. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            // POSIX (PAX) headers for names over 100 characters and files over 8 GiB, as Docker's own tars.
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Entry entry : entries) {
                entry.writeTo(tar);
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a layer in memory", e);
        }
        return out.toByteArray();
    }

    private static String relative(String path) {
        String clean = path;
        while (clean.startsWith("/")) {
            clean = clean.substring(1);
        }
        while (clean.endsWith("/")) {
            clean = clean.substring(0, clean.length() - 1);
        }
        if (clean.isEmpty()) {
            throw new IllegalArgumentException("a layer entry needs a path below the root, not '" + path + "'");
        }
        return clean;
    }

    private enum Kind { DIR, FILE, SYMLINK, RANDOM }

    private record Entry(String path, int mode, Kind kind, byte[] content, String linkTarget, long size, long seed) {
        void writeTo(TarArchiveOutputStream tar) throws IOException {
            String name = relative(path) + (kind == Kind.DIR ? "/" : "");
            TarArchiveEntry header = kind == Kind.SYMLINK
                    ? new TarArchiveEntry(name, TarConstants.LF_SYMLINK)
                    : new TarArchiveEntry(name);
            if (kind == Kind.SYMLINK) {
                header.setLinkName(linkTarget);
            }
            int type = switch (kind) {
                case DIR -> 0040000;
                case SYMLINK -> 0120000;
                case FILE, RANDOM -> 0100000;
            };
            header.setMode(type | (mode & 07777));
            header.setModTime(new Date(0));
            header.setIds(0, 0);
            header.setNames("root", "root");
            header.setSize(switch (kind) {
                case FILE -> content.length;
                case RANDOM -> size;
                case DIR, SYMLINK -> 0;
            });
            tar.putArchiveEntry(header);
            if (kind == Kind.FILE) {
                tar.write(content);
            } else if (kind == Kind.RANDOM) {
                writeRandom(tar);
            }
            tar.closeArchiveEntry();
        }

        private void writeRandom(OutputStream out) throws IOException {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] chunk = new byte[64 * 1024];
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                for (int i = 0; i < n; i += 8) {
                    long word = random.nextLong();
                    for (int b = 0; b < 8 && i + b < n; b++) {
                        chunk[i + b] = (byte) (word >>> (8 * b));
                    }
                }
                out.write(chunk, 0, n);
                left -= n;
            }
        }
    }
}
