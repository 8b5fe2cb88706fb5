package dev.berth.agent.volumes;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code sharedfs}: a directory per volume under a mount every node shares
 * ({@code BERTH_AGENT_SHARED_VOLUME_ROOT}: NFS in production, after the {@code nfs-subdir} pattern; any
 * directory the nodes share on one machine). The root is never created here: a missing root most
 * likely is an unmounted share, and writing a volume onto the local disk below it would split it in two.
 */
public final class SharedFsDriver extends DirectoryDriver {
    public static final String NAME = "sharedfs";

    public SharedFsDriver(Path root) {
        super(root);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    void ensureRoot() throws VolumeRefusedException {
        if (!Files.isDirectory(root())) {
            throw VolumeRefusedException.failed("the shared volume root " + root() + " is missing (is the share "
                    + "mounted?)");
        }
    }
}
