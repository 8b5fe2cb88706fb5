package dev.berth.agent.image;

import dev.berth.agent.runtime.TaskRuntime.LaunchFailedException;
import dev.berth.contracts.app.ContainerImage;
import dev.berth.contracts.messages.TaskStatus;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's images as its tasks need them: a pull in the words a task's status uses (its progress as a
 * STARTING reason, at most about once a second; a failure as {@link TaskStatus#IMAGE_PULL_FAILED} with
 * the registry's reason), and after each pull the cache kept under its limit without touching an image a
 * task of the node still runs from.
 */
public final class TaskImages {
    private static final Logger LOG = Logger.getLogger(TaskImages.class);
    private static final long REPORT_EVERY_NANOS = 1_000_000_000L;

    private final ImageStore store;
    private final Supplier<Set<String>> referencesInUse;

    /**
     * @param referencesInUse the image references (as apps give them) of the node's tasks that have not ended
     */
    public TaskImages(ImageStore store, Supplier<Set<String>> referencesInUse) {
        this.store = store;
        this.referencesInUse = referencesInUse;
    }

    /**
     * The image, pulled and unpacked (from the node's cache unless {@code forcePull}).
     *
     * @param progress hears {@code PULLING: <image>: <what>} while the registry is asked
     */
    public PulledImage pull(ContainerImage image, boolean forcePull, Consumer<String> progress)
            throws LaunchFailedException {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image.image());
        } catch (IllegalArgumentException e) {
            throw new LaunchFailedException(TaskStatus.IMAGE_PULL_FAILED + ": " + e.getMessage(), e);
        }
        PulledImage pulled;
        try {
            pulled = store.pull(ref, forcePull, new Told(ref, progress));
        } catch (ImagePullException e) {
            throw new LaunchFailedException(TaskStatus.IMAGE_PULL_FAILED + ": " + e.getMessage(), e);
        }
        evict();
        return pulled;
    }

    /** The images on the node, for its API and its reports. */
    public List<CachedImage> cached() {
        return store.cached();
    }

    private void evict() {
        Set<String> inUse = new HashSet<>();
        Set<String> references = new HashSet<>();
        for (String reference : referencesInUse.get()) {
            try {
                references.add(ImageReference.parse(reference).toString());
            } catch (IllegalArgumentException e) {
                // a reference no pull accepted has nothing in the cache to keep
            }
        }
        for (CachedImage image : store.cached()) {
            if (references.contains(image.reference())) {
                inUse.add(image.manifestDigest());
            }
        }
        List<CachedImage> evicted = store.evictUnused(inUse);
        evicted.forEach(gone -> LOG.infof("image %s (%s, %d bytes) removed from the node's cache: least recently "
                + "used, and no task runs from it", gone.reference(), gone.manifestDigest(), gone.sizeBytes()));
    }

    /** A pull's progress as the task's STARTING reason, a phase at once, bytes at most once a second. */
    private static final class Told implements PullProgress {
        private final ImageReference ref;
        private final Consumer<String> progress;
        private long lastBytesReport;

        Told(ImageReference ref, Consumer<String> progress) {
            this.ref = ref;
            this.progress = progress;
        }

        @Override
        public void phase(Phase phase) {
            if (phase == Phase.RESOLVING || phase == Phase.UNPACKING) {
                progress.accept("PULLING: " + ref + ": " + phase.name().toLowerCase(Locale.ROOT));
            }
        }

        @Override
        public synchronized void bytes(long soFar, long total) {
            long now = System.nanoTime();
            if (soFar < total && now - lastBytesReport < REPORT_EVERY_NANOS) {
                return;
            }
            lastBytesReport = now;
            progress.accept(String.format(Locale.ROOT, "PULLING: %s: %.1f of %.1f MB", ref, soFar / 1e6, total / 1e6));
        }
    }
}
