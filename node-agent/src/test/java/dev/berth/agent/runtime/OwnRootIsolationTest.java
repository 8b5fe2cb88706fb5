package dev.berth.agent.runtime;

import dev.berth.agent.isolation.OwnRoot;
import dev.berth.agent.isolation.TaskConfinement;
import dev.berth.agent.isolation.TaskEtc;
import dev.berth.agent.volumes.TaskVolumes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

import java.util.Optional;

/**
 * Every test of {@link IsolationTest} again, with tasks launched into their own root by the helper as
 * the agent runs them by default: the OOM kill, the pids limit, the cpu quota, a kill that leaves
 * nothing, the task's own PID namespace and hostname, commands and health checks next to it, its user,
 * a private network, adoption by another runtime and the reaping of orphans.
 */
class OwnRootIsolationTest extends IsolationTest {
    private OwnRoot root;

    @BeforeEach
    void needAnOwnRoot() {
        Assumptions.assumeTrue(host.unshare().isPresent() && host.setpriv().isPresent(),
                "SKIPPED: the agent cannot make namespaces or switch users here (needs root)");
        OwnRoot.Detected detected = OwnRoot.detect(workDir.resolve("agent"), OwnRoot.DEFAULT_SYSTEM_DIRS,
                TaskEtc.DEFAULT_ENTRIES, "nobody");
        Assumptions.assumeTrue(detected.ownRoot().isPresent(), "SKIPPED: " + detected.why());
        root = detected.ownRoot().get();
    }

    /** Users the tests name are allowed, so that a missing one is refused for being missing. */
    @Override
    ProcessRuntime newRuntime() {
        return new ProcessRuntime("127.0.0.1", host, 1024, TaskVolumes.none(), new TaskConfinement(Optional.of(root),
                "probed", Optional.of(TaskConfinement.Users.of("nobody", Optional.of("nobody,no-such-user-x")))));
    }
}
