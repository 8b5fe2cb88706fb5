package dev.berth.agent.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Blobs by content, under {@code <imagesDir>/blobs/sha256/<hex>}: a blob's name is its digest, so a file
 * there is complete and verified (the registry client writes it by rename only after the check) and
 * is shared by every image that uses it.
 */
public final class BlobStore {
    /** Writes one blob, verified, to the path it is given. */
    public interface Fetcher {
        void fetchTo(Path target) throws ImagePullException;
    }

    private final Path dir;
    private final SingleFlight<String> flights = new SingleFlight<>();

    public BlobStore(Path imagesDir) {
        this.dir = imagesDir.resolve("blobs").resolve("sha256");
    }

    /** Where the blob of this digest lives (whether it is there or not). */
    public Path path(String digest) {
        return dir.resolve(Digests.hex(digest));
    }

    public boolean has(String digest) {
        return Files.isRegularFile(path(digest));
    }

    /**
     * The blob's file, fetched first unless it is there; concurrent calls for one digest fetch it once and
     * all get the file (or the same failure).
     */
    public Path fetchOnce(String digest, Fetcher fetcher) throws ImagePullException {
        Path target = path(digest);
        if (Files.isRegularFile(target)) {
            return target;
        }
        return flights.run(digest, () -> {
            if (Files.isRegularFile(target)) {
                return target; // fetched by a flight that ended between our look and our take-off
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new ImagePullException(ImagePullException.Reason.LOCAL_IO, "cannot create the blob store "
                        + dir + ": " + e.getMessage(), e);
            }
            fetcher.fetchTo(target);
            return target;
        });
    }

    /** Deletes the blob, if there. */
    public void remove(String digest) throws IOException {
        Files.deleteIfExists(path(digest));
    }
}
