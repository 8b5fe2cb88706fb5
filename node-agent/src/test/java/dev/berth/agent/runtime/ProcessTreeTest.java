package dev.berth.agent.runtime;

import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Over real processes: the tree kill is only worth what it does to an actual process tree. */
class ProcessTreeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Path dir = Directories.scratch("process-tree-");
    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void killWhateverATestLeft() {
        started.forEach(p -> ProcessTree.members(p).forEach(ProcessHandle::destroyForcibly));
        Directories.deleteQuietly(dir);
    }

    @Test
    void killsTheWholeTreeIncludingAGrandchildThatIgnoresSigterm() throws IOException {
        // Given a task whose child shell and grandchild ignore SIGTERM (ignored signals survive exec)
        Process task = startInOwnGroup("sh -c 'trap \"\" TERM; sleep 1000' & exec sleep 1000");
        await().atMost(WAIT).until(() -> task.descendants().count() >= 2);
        List<ProcessHandle> tree = ProcessTree.members(task.toHandle()).stream().toList();

        // When the tree is terminated with a short grace period
        boolean gone = ProcessTree.terminate(task.toHandle(), task.pid(), Duration.ofMillis(300));

        // Then nothing of it runs any more
        assertTrue(gone);
        assertTrue(tree.stream().noneMatch(ProcessTree::isRunning), "survivors: " + tree);
    }

    @Test
    void asksWithSigtermFirstSoATaskCanShutDownCleanlyWithinItsGracePeriod() throws IOException {
        // Given a task that cleans up and exits on SIGTERM
        Process task = startInOwnGroup("trap 'echo cleaned > cleaned; exit 0' TERM; sleep 1000 & wait");
        await().atMost(WAIT).until(() -> task.descendants().count() >= 1);

        // When it is terminated with a long grace period
        Instant before = Instant.now();
        boolean gone = ProcessTree.terminate(task.toHandle(), task.pid(), Duration.ofSeconds(20));

        // Then it had the chance to clean up, and did not have to wait out the grace period
        assertTrue(gone);
        assertTrue(Files.exists(dir.resolve("cleaned")), "SIGTERM reached the task's trap");
        assertTrue(Duration.between(before, Instant.now()).compareTo(Duration.ofSeconds(10)) < 0);
    }

    @Test
    void killsADescendantThatLeftTheProcessGroup() throws IOException {
        // Given a task whose child started its own session (out of the task's group)
        Process task = startInOwnGroup("setsid sh -c 'trap \"\" TERM; sleep 1000' & exec sleep 1000");
        await().atMost(WAIT).until(() -> task.descendants().anyMatch(p -> p.info().command()
                .map(c -> c.endsWith("sleep")).orElse(false) && p.parent().map(pp -> pp.pid() != task.pid()).orElse(false)));
        List<ProcessHandle> tree = ProcessTree.members(task.toHandle()).stream().toList();

        // When the tree is terminated
        ProcessTree.terminate(task.toHandle(), task.pid(), Duration.ofMillis(300));

        // Then the runaway is gone too
        assertTrue(tree.stream().noneMatch(ProcessTree::isRunning), "survivors: " + tree);
    }

    @Test
    void aTreeWithNoGroupOfItsOwnIsStillKilledProcessByProcess() throws IOException {
        // Given a task started without setsid (group id unknown: 0)
        Process task = start(List.of("/bin/sh", "-c", "sh -c 'trap \"\" TERM; sleep 1000' & exec sleep 1000"));
        await().atMost(WAIT).until(() -> task.descendants().count() >= 2);
        List<ProcessHandle> tree = ProcessTree.members(task.toHandle()).stream().toList();

        // When it is terminated
        ProcessTree.terminate(task.toHandle(), 0, Duration.ofMillis(300));

        // Then the descendants known at the time are gone
        assertTrue(tree.stream().noneMatch(ProcessTree::isRunning), "survivors: " + tree);
    }

    @Test
    void aProcessThatHasEndedDoesNotCountAsRunning() throws Exception {
        Process done = start(List.of("true"));
        done.waitFor();

        assertFalse(ProcessTree.isRunning(done.toHandle()));
        assertTrue(ProcessTree.isRunning(ProcessHandle.current()));
    }

    private Process startInOwnGroup(String script) throws IOException {
        return start(List.of("setsid", "/bin/sh", "-c", script));
    }

    private Process start(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(process.toHandle());
        return process;
    }
}
