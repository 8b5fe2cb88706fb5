package dev.berth.agent.volumes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code local}: a directory per volume under the agent's volume root ({@code BERTH_AGENT_VOLUME_ROOT},
 * by default {@code <work dir>/volumes}). The volume lives and dies with this node. Its size is not
 * enforced (a loop-mounted image per volume would be; see the README).
 */
public final class LocalDriver extends DirectoryDriver {
    public static final String NAME = "local";

    public LocalDriver(Path root) {
        super(root);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    void ensureRoot() throws VolumeRefusedException {
        try {
            Files.createDirectories(root());
        } catch (IOException e) {
            throw VolumeRefusedException.failed("cannot create the volume root " + root() + ": " + e, e);
        }
    }
}
