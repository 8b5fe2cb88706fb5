package dev.berth.agent.runtime;

import dev.berth.agent.isolation.OwnRoot;
import dev.berth.agent.volumes.TaskVolumes;
import org.junit.jupiter.api.BeforeEach;


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
        root = OwnRoots.probedOrSkip(host, workDir.resolve("agent"));
    }

    /** Users the tests name are allowed, so that a missing one is refused for being missing. */
    @Override
    ProcessRuntime newRuntime() {
        return OwnRoots.runtime(host, 1024, TaskVolumes.none(), root, "nobody,no-such-user-x");
    }
}
