package dev.berth.agent.runtime;

import dev.berth.agent.isolation.OwnRoot;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every test of {@link VolumeIsolationTest} again, with tasks launched into their own root by the
 * helper as the agent runs them by default (as nobody): volumes, read-only mounts, the fencing epoch
 * and the lease watchdog (the helper's init, not the shell's), adoption after a restart. The two tests
 * about where a failed bind leaves its words are the own root's own here.
 */
class OwnRootVolumeIsolationTest extends VolumeIsolationTest {
    private OwnRoot root;

    @BeforeEach
    void needAnOwnRoot() {
        root = OwnRoots.probedOrSkip(host, workDir.resolve("agent"));
    }

    @Override
    ProcessRuntime runtime(TaskVolumes taskVolumes) {
        return OwnRoots.runtime(host, 64, taskVolumes, root, "nobody");
    }

    /** In its own root a mount point that is a file (its /etc/hosts) cannot take a volume. */
    @Override
    @Test
    void aVolumeThatCannotBeMountedFailsTheTaskAsVolumeFailed() throws Exception {
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.badmount-1", "true", local("app.badmount.data", "/etc/hosts", false)));
        TaskStatus end = awaitEnd("app.badmount-1");
        assertEquals(TaskState.FAILED, end.state());
        assertEquals("VOLUME_FAILED: cannot mount volume app.badmount.data at /etc/hosts: the mount point is not a "
                + "directory", end.reason());
    }

    /**
     * Where the shell path binds at a host path, the own root makes an absolute container path inside the
     * root: a path that does not exist on the host takes the volume, and nothing is made on the host.
     */
    @Override
    @Test
    void aBindThatFailsInTheNamespaceFailsTheStartWithMountsOwnWords() throws Exception {
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.inroot-1", "touch /var/lib/berth-in-root/x",
                local("app.inroot.data", "/var/lib/berth-in-root", false)));
        TaskStatus end = awaitEnd("app.inroot-1");
        assertEquals(TaskState.FINISHED, end.state(), end.reason());
        assertFalse(Files.exists(java.nio.file.Path.of("/var/lib/berth-in-root")), "made inside the root only");
        assertTrue(Files.exists(workDir.resolve("volumes/app.inroot.data/x")), "written into the volume");
    }
}
