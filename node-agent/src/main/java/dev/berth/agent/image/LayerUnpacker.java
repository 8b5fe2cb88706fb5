package dev.berth.agent.image;

import dev.berth.agent.host.FileTrees;
import dev.berth.agent.image.ImagePullException.Reason;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * Turns a layer blob (a tar, plain or gzipped) into a directory overlayfs can stack, under
 * {@code <imagesDir>/layers/<hex of the blob's digest>}: files with their modes (setuid included), owners
 * and times, links, and the layer's deletions as overlayfs reads them (whiteouts, opaque directories:
 * {@link LayerMarks}).
 *
 * <p>A layer is untrusted input. Every entry is placed by its name inside the layer only: a name with
 * {@code ..}, or one that goes through a link or a file the layer made before, is refused, and nothing is
 * ever written through a link. The layer is built in a temporary directory and renamed into place, so a
 * directory under {@code layers/} is always complete; concurrent calls for one layer unpack it once.
 */
public final class LayerUnpacker {
    private static final Logger LOG = Logger.getLogger(LayerUnpacker.class);
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** Gives the layer's blob file, downloading it if need be. */
    public interface BlobSource {
        Path blob() throws ImagePullException;
    }

    private final Path dir;
    private final LayerMarks marks;
    private final SingleFlight<String> flights = new SingleFlight<>();

    public LayerUnpacker(Path imagesDir, LayerMarks marks) {
        this.dir = imagesDir.resolve("layers");
        this.marks = marks;
    }

    /** Where the unpacked layer of this blob digest lives (whether it is there or not). */
    public Path path(String digest) {
        return dir.resolve(Digests.hex(digest));
    }

    public boolean has(String digest) {
        return Files.isDirectory(path(digest), NOFOLLOW);
    }

    /**
     * The layer's directory, unpacked first unless it is there (the blob is asked for only then);
     * concurrent calls for one digest unpack it once.
     */
    public Path unpackOnce(String digest, BlobSource source) throws ImagePullException {
        Path target = path(digest);
        if (has(digest)) {
            return target;
        }
        return flights.run(digest, () -> {
            if (has(digest)) {
                return target;
            }
            unpack(digest, source.blob(), target);
            return target;
        });
    }

    /** Deletes the layer: renamed away first, so a half-deleted layer is never taken for a whole one. */
    public void remove(String digest) throws IOException {
        Path layer = path(digest);
        if (!Files.exists(layer, NOFOLLOW)) {
            return;
        }
        Path doomed = dir.resolve("." + layer.getFileName() + "." + UUID.randomUUID() + ".removing");
        Files.move(layer, doomed, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.deleteTree(doomed);
    }

    private void unpack(String digest, Path blob, Path target) throws ImagePullException {
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".unpacking");
        try {
            Files.createDirectories(temp);
            try (InputStream in = decompressed(digest, blob)) {
                new Unpacking(digest, temp).run(in);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ImagePullException(Reason.LOCAL_IO, "cannot unpack layer " + digest + " into " + target + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        } finally {
            try {
                FileTrees.deleteTree(temp);
            } catch (IOException e) {
                LOG.warnf("cannot delete the unfinished layer %s: %s", temp, e.getMessage());
            }
        }
    }

    /** The tar stream, gunzipped when the blob starts with gzip's magic (media types are not always honest). */
    private static InputStream decompressed(String digest, Path blob) throws IOException, ImagePullException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(blob), 64 * 1024);
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 64 * 1024);
        }
        String other = magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd ? "zstd"
                : magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h' ? "bzip2"
                : magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' ? "xz" : null;
        if (other != null) {
            in.close();
            throw new ImagePullException(Reason.UNSUPPORTED, "layer " + digest + " is " + other
                    + "-compressed; the agent unpacks tar and gzipped tar only");
        }
        return in;
    }

    /** One layer's unpacking: the entries in order, then the metadata of directories, then the marks. */
    private final class Unpacking {
        private final String digest;
        private final Path root;
        private final Map<Path, TarArchiveEntry> directories = new LinkedHashMap<>();
        private final Set<Path> whiteouts = new LinkedHashSet<>();
        private final Set<Path> opaque = new LinkedHashSet<>();
        private boolean skippedDevices;

        Unpacking(String digest, Path root) {
            this.digest = digest;
            this.root = root;
        }

        void run(InputStream in) throws IOException, ImagePullException {
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry entry;
            try {
                entry = tar.getNextEntry();
            } catch (IOException e) {
                throw invalid("it is not a tar archive (" + e.getMessage() + ")");
            }
            while (entry != null) {
                place(entry, tar);
                try {
                    entry = tar.getNextEntry();
                } catch (IOException e) {
                    throw invalid("its tar archive is broken after entry '" + entry.getName() + "' (" + e.getMessage()
                            + ")");
                }
            }
            // Last: writing into a directory would move its time, and a read-only mode would not stop us anyway.
            for (Map.Entry<Path, TarArchiveEntry> directory : directories.entrySet()) {
                if (Files.isDirectory(directory.getKey(), NOFOLLOW)) { // not replaced by a later entry
                    metadata(directory.getKey(), directory.getValue());
                }
            }
            if (!whiteouts.isEmpty()) {
                marks.whiteouts(List.copyOf(whiteouts));
            }
            if (!opaque.isEmpty()) {
                marks.opaque(List.copyOf(opaque));
            }
        }

        private void place(TarArchiveEntry entry, InputStream content) throws IOException, ImagePullException {
            List<String> parts = parts(entry.getName());
            if (parts.isEmpty()) {
                return; // the layer's root ("./"): the root of the task is the overlay's, not this entry's
            }
            Path parent = parents(parts.subList(0, parts.size() - 1), entry.getName());
            String base = parts.get(parts.size() - 1);
            if (base.equals(OPAQUE)) {
                opaque.add(parent);
                return;
            }
            if (base.startsWith(WHITEOUT)) {
                String name = base.substring(WHITEOUT.length());
                if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                    throw invalid("entry '" + entry.getName() + "' deletes '" + name + "', which is not a name");
                }
                Path hidden = parent.resolve(name);
                FileTrees.deleteTree(hidden); // the layer made and deleted it: only the deletion counts
                whiteouts.add(hidden);
                return;
            }
            Path path = parent.resolve(base);
            // Before isFile(), which commons-compress also answers true for these.
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                if (!skippedDevices) {
                    LOG.infof("layer %s: skipping device nodes and fifos (first: %s); tasks get their own /dev",
                            digest, entry.getName());
                    skippedDevices = true;
                }
                return;
            }
            whiteouts.remove(path);
            boolean exists = Files.exists(path, NOFOLLOW);
            if (exists && !(entry.isDirectory() && Files.isDirectory(path, NOFOLLOW))) {
                FileTrees.deleteTree(path); // a later entry of the same name wins, as tar has it
                directories.remove(path);
            }
            if (entry.isDirectory()) {
                if (!Files.isDirectory(path, NOFOLLOW)) {
                    Files.createDirectory(path);
                }
                directories.put(path, entry);
            } else if (entry.isSymbolicLink()) {
                Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                metadata(path, entry);
            } else if (entry.isLink()) {
                Files.createLink(path, linkTarget(entry));
            } else if (entry.isFile()) {
                Files.copy(content, path); // creates the file anew, exclusively: never writes through a link
                metadata(path, entry);
            } else {
                LOG.debugf("layer %s: skipping entry %s of tar type '%c'", digest, entry.getName(),
                        (char) entry.getLinkFlag());
            }
        }

        /** The name's parts; {@code ./} and {@code /} at its start mean the layer's root, {@code ..} is refused. */
        private List<String> parts(String name) throws ImagePullException {
            List<String> parts = new ArrayList<>();
            for (String part : name.split("/")) {
                if (part.isEmpty() || part.equals(".")) {
                    continue;
                }
                if (part.equals("..")) {
                    throw invalid("entry '" + name + "' points outside the layer");
                }
                parts.add(part);
            }
            return parts;
        }

        /**
         * The directory the parts name inside the layer, made as needed (0755, as Docker does); an existing part
         * that is not a directory (a link the layer made, say) is refused: going through it could leave the layer.
         */
        private Path parents(List<String> parts, String name) throws IOException, ImagePullException {
            Path current = root;
            for (String part : parts) {
                current = current.resolve(part);
                if (!Files.exists(current, NOFOLLOW)) {
                    Files.createDirectory(current);
                } else if (!Files.isDirectory(current, NOFOLLOW)) {
                    throw invalid("entry '" + name + "' goes through '" + root.relativize(current) + "', which is "
                            + (Files.isSymbolicLink(current) ? "a link" : "not a directory"));
                }
            }
            return current;
        }

        /** A hard link's target: a file (or link) the layer made before, reached through real directories only. */
        private Path linkTarget(TarArchiveEntry entry) throws ImagePullException {
            List<String> parts = parts(entry.getLinkName());
            Path current = root;
            for (int i = 0; i < parts.size(); i++) {
                current = current.resolve(parts.get(i));
                boolean last = i == parts.size() - 1;
                if (last ? !Files.exists(current, NOFOLLOW) || Files.isDirectory(current, NOFOLLOW)
                        : !Files.isDirectory(current, NOFOLLOW)) {
                    throw invalid("entry '" + entry.getName() + "' is a hard link to '" + entry.getLinkName()
                            + "', which is not a file the layer made before it");
                }
            }
            if (parts.isEmpty()) {
                throw invalid("entry '" + entry.getName() + "' is a hard link to the layer's root");
            }
            return current;
        }

        private void metadata(Path path, TarArchiveEntry entry) throws IOException {
            boolean link = entry.isSymbolicLink();
            // Owner before mode: a chown clears setuid and setgid bits.
            Files.setAttribute(path, "unix:uid", (int) entry.getLongUserId(), NOFOLLOW);
            Files.setAttribute(path, "unix:gid", (int) entry.getLongGroupId(), NOFOLLOW);
            if (!link) { // Linux keeps no mode on a link
                Files.setAttribute(path, "unix:mode", entry.getMode() & 07777, NOFOLLOW);
            }
            FileTime time = entry.getLastModifiedTime();
            if (time != null) {
                try {
                    Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW).setTimes(time, null, null);
                } catch (IOException e) {
                    if (!link) {
                        throw e;
                    } // a link's time is cosmetic, and not every JDK can set it
                }
            }
        }

        private ImagePullException invalid(String why) {
            return new ImagePullException(Reason.INVALID, "layer " + digest + " cannot be unpacked: " + why);
        }
    }
}
