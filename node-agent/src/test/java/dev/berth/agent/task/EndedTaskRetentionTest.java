package dev.berth.agent.task;

import dev.berth.agent.sandbox.SandboxRetention;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ended tasks stay known, their sandboxes (and logs) kept, until the retention removes them; running
 * tasks are never touched. Real sandbox and checkpoint files, a scripted runtime.
 */
class EndedTaskRetentionTest {
    private static final String NODE = "node-1";

    private final Path workDir = Directories.scratch("ended-retention-");
    private final Sandboxes sandboxes = Sandboxes.under(workDir);
    private final CheckpointStore checkpoints = new CheckpointStore(sandboxes);
    private final List<TaskStatus> reported = new CopyOnWriteArrayList<>();
    private final TaskSupervisorTest.FakeRuntime runtime = new TaskSupervisorTest.FakeRuntime();
    private final TaskSupervisor supervisor = new TaskSupervisor(NODE, sandboxes, runtime, reported::add,
            new TaskSupervisorTest.CallerRuns(), checkpoints, HealthWatch.NONE, sandbox -> {
    });

    @AfterEach
    void cleanUp() {
        Directories.deleteQuietly(workDir);
    }

    @Test
    void anEndedTasksSandboxStaysUntilTheRetentionThenGoesWithTheTask() throws Exception {
        supervisor.handle(launch("ended"));
        supervisor.handle(launch("running"));
        Files.createDirectories(sandboxes.of("ended").dir());
        Files.writeString(sandboxes.of("ended").stdout(), "last words\n");
        runtime.process("ended").exit.complete(1);
        assertEquals(TaskState.FAILED, supervisor.find("ended").orElseThrow().state());

        // Within the retention: nothing goes, the output is there
        SandboxRetention day = new SandboxRetention(Duration.ofHours(24), 100);
        assertEquals(List.of(), supervisor.collectEnded(day, Instant.now()));
        assertEquals("last words\n", Files.readString(sandboxes.of("ended").stdout()));

        // Past it: the ended task is forgotten, its sandbox and checkpoint removed; the running one stays
        assertEquals(List.of("ended"), supervisor.collectEnded(day, Instant.now().plus(Duration.ofHours(25))));
        assertFalse(Files.exists(sandboxes.of("ended").dir()));
        assertFalse(Files.exists(sandboxes.of("ended").checkpoint()));
        assertTrue(supervisor.find("ended").isEmpty());
        assertTrue(supervisor.find("running").isPresent());
        assertEquals(List.of("running"), supervisor.runningTaskIds());
    }

    @Test
    void aRestartedAgentCountsTheRetentionFromTheEndItFindsOnDisk() {
        supervisor.handle(launch("ended-before"));
        runtime.process("ended-before").exit.complete(0);
        supervisor.close();

        TaskSupervisor next = new TaskSupervisor(NODE, sandboxes, new TaskSupervisorTest.FakeRuntime(),
                reported::add, new TaskSupervisorTest.CallerRuns(), checkpoints, HealthWatch.NONE, sandbox -> {
        });
        next.recover();
        SandboxRetention hour = new SandboxRetention(Duration.ofHours(1), 100);
        assertEquals(List.of(), next.collectEnded(hour, Instant.now()));
        assertEquals(List.of("ended-before"), next.collectEnded(hour, Instant.now().plus(Duration.ofHours(2))));
    }

    private static LaunchTask launch(String taskId) {
        return LaunchTask.of(NODE, taskId, "/app", 1, new TaskSpec("sleep 600", null, Map.of(), Map.of(), 0.1, 16, 0,
                List.of()), null);
    }
}
