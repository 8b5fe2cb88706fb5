package dev.berth.agent.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.agent.host.FileTrees;
import dev.berth.agent.image.ImagePullException.Reason;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The node's images: pulls an image once and keeps it unpacked under {@code imagesDir}, so the next task
 * of the same image starts without asking the registry (unless it forces a pull), and evicts the least
 * recently used images no task needs when they outgrow the node's allowance.
 *
 * <p>On disk: {@code blobs/sha256/<hex>} (config blobs; layer blobs only while being unpacked),
 * {@code layers/<hex>} (unpacked layers, named by their blob's digest, shared between images) and
 * {@code refs/<sha256 of the name>.json} (per image name: its manifest digest, config and layers, size,
 * last use). A layer directory is written by rename, whole; a ref file last, so a ref names only content
 * that is all there.
 *
 * <p>Thread-safe: pulls run side by side (one layer is still fetched and unpacked once), eviction waits for
 * running pulls and they for it, so it never deletes a layer a pull is about to hand out.
 */
public final class ImageStore {
    private static final Logger LOG = Logger.getLogger(ImageStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A ref file: what one image name was last pulled as. */
    record ImageRecord(String reference, String manifestDigest, String configDigest, long configBytes,
                       List<LayerRecord> layers, long lastUsedMillis) {
        long sizeBytes() {
            return configBytes + layers.stream().mapToLong(LayerRecord::bytes).sum();
        }
    }

    /** One layer of an image record, with what its unpacked files take. */
    record LayerRecord(String digest, long bytes) {
    }

    private final Path refsDir;
    private final RegistryClient client;
    private final BlobStore blobs;
    private final LayerUnpacker layers;
    private final long cacheLimitBytes;
    private final Clock clock;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Object refWrites = new Object();

    /**
     * @param imagesDir       where images live ({@code <work-dir>/images}, say)
     * @param marks           writes overlayfs's whiteouts and opaque marks ({@link ConfineLayerMarks})
     * @param cacheLimitBytes what unused images may take before {@link #evictUnused} removes some
     */
    public ImageStore(Path imagesDir, RegistryClient client, LayerMarks marks, long cacheLimitBytes) {
        this(imagesDir, client, marks, cacheLimitBytes, Clock.systemUTC());
    }

    ImageStore(Path imagesDir, RegistryClient client, LayerMarks marks, long cacheLimitBytes, Clock clock) {
        this.refsDir = imagesDir.resolve("refs");
        this.client = client;
        this.blobs = new BlobStore(imagesDir);
        this.layers = new LayerUnpacker(imagesDir, marks);
        this.cacheLimitBytes = cacheLimitBytes;
        this.clock = clock;
    }

    /**
     * The image, unpacked: from the node when it was pulled before and is complete (and {@code forcePull} is
     * false), else from its registry.
     *
     * @throws ImagePullException with a reason and a message fit for the task's failure
     */
    public PulledImage pull(ImageReference ref, boolean forcePull, PullProgress progress) throws ImagePullException {
        lock.readLock().lock();
        try {
            if (!forcePull) {
                Optional<ImageRecord> known = read(refFile(ref));
                if (known.isPresent() && complete(known.get())) {
                    progress.phase(PullProgress.Phase.CACHED);
                    ImageRecord used = withLastUse(known.get());
                    write(used);
                    PulledImage image = pulled(ref, used);
                    progress.phase(PullProgress.Phase.DONE);
                    return image;
                }
            }
            return fetch(ref, progress);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The images on the node, most recently used first. */
    public List<CachedImage> cached() {
        lock.readLock().lock();
        try {
            return records().stream().sorted(Comparator.comparingLong(ImageRecord::lastUsedMillis).reversed())
                    .map(ImageStore::cachedImage).toList();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * While the images take more than the allowance, removes the least recently used one that no task uses,
     * then the layers and blobs no remaining image needs (and leftovers of failed pulls).
     *
     * @param inUseManifestDigests manifest digests of the images running tasks were started from
     * @return the images removed
     */
    public List<CachedImage> evictUnused(Set<String> inUseManifestDigests) {
        lock.writeLock().lock();
        try {
            List<ImageRecord> remaining = new ArrayList<>(records());
            remaining.sort(Comparator.comparingLong(ImageRecord::lastUsedMillis));
            List<CachedImage> evicted = new ArrayList<>();
            for (ImageRecord image : List.copyOf(remaining)) {
                if (diskBytes(remaining) <= cacheLimitBytes) {
                    break;
                }
                if (inUseManifestDigests.contains(image.manifestDigest())) {
                    continue;
                }
                try {
                    Files.deleteIfExists(refFile(image.reference()));
                    remaining.remove(image);
                    evicted.add(cachedImage(image));
                    LOG.infof("evicted image %s (%s, %d bytes, last used %s)", image.reference(),
                            image.manifestDigest(), image.sizeBytes(), Instant.ofEpochMilli(image.lastUsedMillis()));
                } catch (IOException e) {
                    LOG.warnf("cannot evict image %s: %s", image.reference(), e.getMessage());
                }
            }
            sweep(remaining);
            return evicted;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private PulledImage fetch(ImageReference ref, PullProgress progress) throws ImagePullException {
        progress.phase(PullProgress.Phase.RESOLVING);
        Manifest manifest = client.resolve(ref);
        long total = (blobs.has(manifest.config().digest()) ? 0 : manifest.config().size())
                + manifest.layers().stream().filter(layer -> !layers.has(layer.digest()))
                .mapToLong(Descriptor::size).sum();
        AtomicLong received = new AtomicLong();
        progress.phase(PullProgress.Phase.DOWNLOADING);
        progress.bytes(0, total);
        Path configFile = blobs.fetchOnce(manifest.config().digest(),
                target -> client.fetchBlob(ref, manifest.config(), target, counting(received, total, progress)));
        ImageConfig config;
        try {
            config = ImageConfig.parse(Files.readAllBytes(configFile));
        } catch (IOException e) {
            throw new ImagePullException(Reason.INVALID, "image " + ref + ": its config blob "
                    + manifest.config().digest() + " is not JSON", e);
        }
        List<LayerRecord> layerRecords = new ArrayList<>();
        Map<String, Long> measured = new HashMap<>();
        for (Descriptor layer : manifest.layers()) {
            layers.unpackOnce(layer.digest(), () -> {
                progress.phase(PullProgress.Phase.DOWNLOADING);
                Path blob = blobs.fetchOnce(layer.digest(),
                        target -> client.fetchBlob(ref, layer, target, counting(received, total, progress)));
                progress.phase(PullProgress.Phase.UNPACKING);
                return blob;
            });
            try {
                blobs.remove(layer.digest()); // unpacked, the compressed copy only takes room
                long bytes = measured.containsKey(layer.digest()) ? measured.get(layer.digest())
                        : FileTrees.size(layers.path(layer.digest()));
                measured.put(layer.digest(), bytes);
                layerRecords.add(new LayerRecord(layer.digest(), bytes));
            } catch (IOException e) {
                throw new ImagePullException(Reason.LOCAL_IO, "image " + ref + ": cannot measure layer "
                        + layer.digest() + ": " + e.getMessage(), e);
            }
        }
        ImageRecord record = new ImageRecord(ref.toString(), manifest.digest(), manifest.config().digest(),
                manifest.config().size(), layerRecords, clock.millis());
        write(record);
        progress.phase(PullProgress.Phase.DONE);
        return new PulledImage(ref, manifest.digest(), config, layerDirs(record), record.sizeBytes());
    }

    private static java.util.function.LongConsumer counting(AtomicLong received, long total, PullProgress progress) {
        AtomicLong mine = new AtomicLong();
        return soFar -> {
            long delta = soFar - mine.getAndSet(soFar);
            progress.bytes(received.addAndGet(delta), total);
        };
    }

    private boolean complete(ImageRecord record) {
        return blobs.has(record.configDigest()) && record.layers().stream().allMatch(l -> layers.has(l.digest()));
    }

    private PulledImage pulled(ImageReference ref, ImageRecord record) throws ImagePullException {
        try {
            ImageConfig config = ImageConfig.parse(Files.readAllBytes(blobs.path(record.configDigest())));
            return new PulledImage(ref, record.manifestDigest(), config, layerDirs(record), record.sizeBytes());
        } catch (IOException e) {
            throw new ImagePullException(Reason.LOCAL_IO, "image " + ref + ": cannot read its stored config: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The layer directories bottom first, each once: overlayfs refuses a directory twice in one stack
     * ("conflicting lowerdir path"), and a layer that appears again higher up (two identical build steps)
     * already covers everything its lower copy held, so only its topmost place is kept.
     */
    private List<Path> layerDirs(ImageRecord record) {
        java.util.LinkedHashSet<Path> topFirst = new java.util.LinkedHashSet<>();
        for (int i = record.layers().size() - 1; i >= 0; i--) {
            topFirst.add(layers.path(record.layers().get(i).digest()));
        }
        List<Path> bottomFirst = new ArrayList<>(topFirst);
        java.util.Collections.reverse(bottomFirst);
        return List.copyOf(bottomFirst);
    }

    private ImageRecord withLastUse(ImageRecord record) {
        return new ImageRecord(record.reference(), record.manifestDigest(), record.configDigest(),
                record.configBytes(), record.layers(), clock.millis());
    }

    /** What the images take on disk together: a layer or config shared by several counted once. */
    private static long diskBytes(List<ImageRecord> images) {
        Map<String, Long> content = new HashMap<>();
        for (ImageRecord image : images) {
            content.put(image.configDigest(), image.configBytes());
            image.layers().forEach(layer -> content.put(layer.digest(), layer.bytes()));
        }
        return content.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Removes every layer and blob no remaining image names, and what failed pulls left behind. */
    private void sweep(List<ImageRecord> remaining) {
        Set<String> neededLayers = new HashSet<>();
        Set<String> neededBlobs = new HashSet<>();
        for (ImageRecord image : remaining) {
            neededBlobs.add(Digests.hex(image.configDigest()));
            image.layers().forEach(layer -> neededLayers.add(Digests.hex(layer.digest())));
        }
        sweepDir(layers.path("sha256:" + "0".repeat(64)).getParent(), neededLayers);
        sweepDir(blobs.path("sha256:" + "0".repeat(64)).getParent(), neededBlobs);
    }

    private static void sweepDir(Path dir, Set<String> needed) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!needed.contains(entry.getFileName().toString())) {
                    try {
                        FileTrees.deleteTree(entry);
                    } catch (IOException e) {
                        LOG.warnf("cannot delete %s: %s", entry, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warnf("cannot list %s: %s", dir, e.getMessage());
        }
    }

    private static CachedImage cachedImage(ImageRecord record) {
        return new CachedImage(record.reference(), record.manifestDigest(), record.sizeBytes(),
                Instant.ofEpochMilli(record.lastUsedMillis()));
    }

    private List<ImageRecord> records() {
        List<ImageRecord> records = new ArrayList<>();
        if (!Files.isDirectory(refsDir)) {
            return records;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(refsDir, "*.json")) {
            for (Path file : files) {
                read(file).ifPresent(records::add);
            }
        } catch (IOException e) {
            LOG.warnf("cannot list %s: %s", refsDir, e.getMessage());
        }
        return records;
    }

    private Optional<ImageRecord> read(Path file) {
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), ImageRecord.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warnf("ignoring the unreadable image record %s: %s", file, e.getMessage());
            return Optional.empty();
        }
    }

    private void write(ImageRecord record) throws ImagePullException {
        Path file = refFile(record.reference());
        synchronized (refWrites) {
            try {
                Files.createDirectories(refsDir);
                Path temp = refsDir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
                Files.write(temp, JSON.writeValueAsBytes(record));
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new ImagePullException(Reason.LOCAL_IO, "cannot record image " + record.reference() + " in "
                        + refsDir + ": " + e.getMessage(), e);
            }
        }
    }

    private Path refFile(ImageReference ref) {
        return refFile(ref.toString());
    }

    /** Named by a digest of the name: image names have slashes and colons, which file names should not. */
    private Path refFile(String reference) {
        return refsDir.resolve(Digests.hex(Digests.of(reference.getBytes(StandardCharsets.UTF_8))) + ".json");
    }
}
