package dev.berth.volume.provisioning;

import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.volume.VolumeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * External volumes as directories under a mount every node shares ({@code berth.volume.shared-root}):
 * {@code <root>/<volume id>}. Without a configured root the service keeps metadata only; the agents
 * create the directory on first mount.
 */
@ApplicationScoped
public class SharedFsProvisioner implements VolumeProvisioner {
    public static final String PROVIDER = "sharedfs";
    private static final Logger LOG = Logger.getLogger(SharedFsProvisioner.class);

    @Inject
    VolumeConfig config;

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public void provision(VolumeSnapshot volume) throws IOException {
        Optional<Path> dir = directory(volume);
        if (dir.isPresent()) {
            Files.createDirectories(dir.get());
        }
    }

    @Override
    public void destroy(VolumeSnapshot volume) throws IOException {
        // The one irreversible act of the service: it runs only for a volume whose deletion committed.
        if (volume.state() != VolumeState.DELETED) {
            throw new IllegalStateException("refusing to destroy the data of volume " + volume.volumeId()
                    + ", which is " + volume.state());
        }
        Optional<Path> dir = directory(volume);
        if (dir.isPresent() && Files.exists(dir.get(), LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(dir.get());
            LOG.infof("destroyed the data of volume %s (%s)", volume.volumeId(), dir.get());
        }
    }

    /** The volume's directory, or empty when no shared root is configured. */
    public Optional<Path> directory(VolumeSnapshot volume) {
        return config.sharedRoot().filter(root -> !root.isBlank()).map(root -> {
            Path base = Path.of(root).toAbsolutePath().normalize();
            Path dir = base.resolve(volume.volumeId()).normalize();
            // Volume ids are [a-z0-9._~-]; this guards against one that is not (".", "..", a slash).
            if (!base.equals(dir.getParent())) {
                throw new IllegalArgumentException("volume id " + volume.volumeId() + " is not a directory name");
            }
            return dir;
        });
    }

    /** Deletes a tree without following symbolic links out of it (a link is removed, not its target). */
    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteIfExists(Path path) throws IOException {
        try {
            Files.deleteIfExists(path);
        } catch (NoSuchFileException ignored) {
            // gone already: a repeated destroy
        }
    }
}
