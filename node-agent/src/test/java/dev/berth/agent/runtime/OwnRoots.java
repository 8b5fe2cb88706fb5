package dev.berth.agent.runtime;

import dev.berth.agent.isolation.OwnRoot;
import dev.berth.agent.isolation.TaskConfinement;
import dev.berth.agent.isolation.TaskEtc;
import dev.berth.agent.network.TaskNetworks;
import dev.berth.agent.volumes.TaskVolumes;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The own root for the runtime tests, as the agent prepares it at start (helper, reduced /etc, probe),
 * under a test's scratch directory; the test is skipped, saying why, where the host does not allow one.
 */
final class OwnRoots {
    private OwnRoots() {
    }

    static OwnRoot probedOrSkip(HostIsolation host, Path workDir) {
        Assumptions.assumeTrue(host.unshare().isPresent() && host.setpriv().isPresent(),
                "SKIPPED: the agent cannot make namespaces or switch users here (needs root)");
        OwnRoot.Detected detected = OwnRoot.detect(workDir, OwnRoot.DEFAULT_SYSTEM_DIRS, TaskEtc.DEFAULT_ENTRIES,
                "nobody");
        Assumptions.assumeTrue(detected.ownRoot().isPresent(), "SKIPPED: " + detected.why());
        return detected.ownRoot().get();
    }

    /** A runtime that launches every task into {@code root}, as nobody unless it names one of {@code allowed}. */
    static ProcessRuntime runtime(HostIsolation host, int pidsLimit, TaskVolumes volumes, OwnRoot root,
                                  String allowed) {
        return new ProcessRuntime("127.0.0.1", host, pidsLimit, volumes, new TaskConfinement(Optional.of(root),
                "probed", Optional.of(TaskConfinement.Users.of("nobody", Optional.of(allowed)))));
    }

    /** The same, marking every task's processes with {@code mark}, as the agent does. */
    static ProcessRuntime runtime(HostIsolation host, OwnRoot root, AgentMark mark) {
        return new ProcessRuntime("127.0.0.1", System.getenv(), host, 1024, TaskVolumes.none(),
                new TaskConfinement(Optional.of(root), "probed",
                        Optional.of(TaskConfinement.Users.of("nobody", Optional.of("nobody")))),
                TaskNetworks.unavailable("not under test"), Optional.of(mark));
    }
}
