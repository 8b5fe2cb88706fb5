package dev.berth.agent.task;

import dev.berth.agent.runtime.ProcessStamp;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a supervisor writes down and what the next one makes of it, with real checkpoint files and
 * a scripted runtime; the real processes are in IsolationTest and AgentRestartIT.
 */
class TaskRecoveryTest {
    private static final String NODE = "node-1";

    private final Path workDir = Directories.scratch("recovery-");
    private final Sandboxes sandboxes = Sandboxes.under(workDir);
    private final CheckpointStore checkpoints = new CheckpointStore(sandboxes);
    private final List<TaskStatus> reported = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() {
        Directories.deleteQuietly(workDir);
    }

    private TaskSupervisor supervisor(TaskSupervisorTest.FakeRuntime runtime) {
        return new TaskSupervisor(NODE, sandboxes, runtime, reported::add, new TaskSupervisorTest.CallerRuns(),
                checkpoints, HealthWatch.NONE, sandbox -> {
                });
    }

    @Test
    void aRestartedSupervisorAdoptsRunningTasksAndReportsThoseThatEndedMeanwhile() {
        // Given a supervisor that ran three tasks: one still running, one that ended while it was
        // down (its process then exits at adoption), and one that had ended before
        TaskSupervisorTest.FakeRuntime before = new TaskSupervisorTest.FakeRuntime();
        TaskSupervisor first = supervisor(before);
        first.handle(launch("keeps-running"));
        first.handle(launch("ends-meanwhile"));
        first.handle(launch("ended-before"));
        before.process("ended-before").exit.complete(0);
        first.close();

        // When a new supervisor recovers from the checkpoints
        reported.clear();
        TaskSupervisorTest.FakeRuntime after = new TaskSupervisorTest.FakeRuntime();
        TaskSupervisor second = supervisor(after);
        assertEquals(2, second.recover());

        // Then the running ones are adopted by their stamps, and reported running again
        assertEquals(new ProcessStamp(4242, 0), after.process("keeps-running").adoptedFrom);
        assertEquals(List.of("ends-meanwhile", "keeps-running"), second.runningTaskIds());
        // and the one that ended while no agent watched is reported with how it ended
        after.process("ends-meanwhile").exit.complete(3);
        TaskStatus meanwhile = last("ends-meanwhile");
        assertEquals(TaskState.FAILED, meanwhile.state());
        assertEquals("exited with code 3 while the agent was down", meanwhile.reason());
        // and the one that had ended is reported again, in case the first agent's report was lost
        assertEquals(TaskState.FINISHED, last("ended-before").state());

        // And a launch delivered again after the restart starts nothing twice
        second.handle(launch("ended-before"));
        second.handle(launch("keeps-running"));
        assertEquals(2, after.started.size(), "only the two adopted processes");
    }

    @Test
    void aTaskWhoseStartWasCutShortIsReapedAndReportedFailed() throws Exception {
        // Given a checkpoint written just before the process started, and an agent that died then
        checkpoints.save(new TaskCheckpoint("cut-short", "/app", "l1", spec(false), null, java.time.Instant.now(),
                TaskState.STARTING, null, null));

        TaskSupervisorTest.FakeRuntime runtime = new TaskSupervisorTest.FakeRuntime();
        TaskSupervisor supervisor = supervisor(runtime);
        supervisor.recover();
        runtime.process("cut-short").exit.complete(null);

        assertTrue(runtime.process("cut-short").leftoversReaped, "whatever got into its cgroup is killed");
        TaskStatus last = last("cut-short");
        assertEquals(TaskState.FAILED, last.state());
        assertEquals("ended while the agent was down; its exit code is unknown", last.reason());
    }

    @Test
    void aTaskTheKernelKilledForMemoryFailsAsOomKilled() {
        TaskSupervisorTest.FakeRuntime runtime = new TaskSupervisorTest.FakeRuntime();
        TaskSupervisor supervisor = supervisor(runtime);
        supervisor.handle(launch("hungry"));

        runtime.process("hungry").oomKilled = true;
        runtime.process("hungry").exit.complete(137);

        TaskStatus last = last("hungry");
        assertEquals(TaskState.FAILED, last.state());
        assertEquals("OOM_KILLED: the kernel killed it for using more than its 16 MiB of memory", last.reason());
    }

    @Test
    void aTaskPastItsDiskIsReportedAndKilledOnlyIfItsAppAsksForEnforcement() throws Exception {
        TaskSupervisorTest.FakeRuntime runtime = new TaskSupervisorTest.FakeRuntime();
        TaskSupervisor supervisor = supervisor(runtime);
        supervisor.handle(LaunchTask.of(NODE, "tolerated", "/app", 1, spec(false), null));
        supervisor.handle(LaunchTask.of(NODE, "enforced", "/app", 1, spec(true), null));
        for (String task : List.of("tolerated", "enforced")) {
            Files.createDirectories(sandboxes.of(task).dir());
            Files.write(sandboxes.of(task).dir().resolve("big"), new byte[2 * 1024 * 1024]);
        }

        supervisor.sampleUsage();

        assertTrue(supervisor.usage().get("tolerated").diskExceeded());
        assertEquals(TaskState.RUNNING, last("tolerated").state());
        TaskStatus enforced = last("enforced");
        assertEquals(TaskState.FAILED, enforced.state());
        assertTrue(enforced.reason().startsWith("DISK_LIMIT_EXCEEDED: its sandbox holds 2.0 MiB, more than its disk of"), enforced.reason());
    }

    @Test
    void aLaunchWhoseVolumeAttachmentIsOlderThanOneTheNodeRanIsRefusedFencedAlsoAfterARestart() {
        // Given a task that ran with volume pgdata-0 at epoch 3, written down before the agent restarted
        TaskSupervisorTest.FakeRuntime before = new TaskSupervisorTest.FakeRuntime();
        TaskSupervisor first = supervisor(before);
        first.handle(LaunchTask.of(NODE, "db-new", "/db", 1, withVolume(3), null));
        first.close();
        TaskSupervisorTest.FakeRuntime after = new TaskSupervisorTest.FakeRuntime();
        TaskSupervisor second = supervisor(after);
        second.recover();

        // When a launch from before that attachment (epoch 2) is delivered late, under another task id
        second.handle(LaunchTask.of(NODE, "db-old", "/db", 1, withVolume(2), null));

        // Then it is refused, and nothing is started for it
        TaskStatus refused = last("db-old");
        assertEquals(TaskState.FAILED, refused.state());
        assertEquals("FENCED: volume pgdata-0 has epoch 3, this attachment has 2", refused.reason());
        assertEquals(1, after.started.size(), "only the adopted task");
        assertEquals(java.util.Set.of("pgdata-0"), second.volumesInUse());
    }

    @Test
    void aTaskWhoseInitSaysWhyItEndedEndsWithThatReason() {
        TaskSupervisorTest.FakeRuntime runtime = new TaskSupervisorTest.FakeRuntime();
        TaskSupervisor supervisor = supervisor(runtime);
        supervisor.handle(LaunchTask.of(NODE, "fenced", "/db", 1, withVolume(1), null));

        runtime.process("fenced").endReason = "FENCED: a newer attachment (epoch 2) exists";
        runtime.process("fenced").exit.complete(137);

        TaskStatus last = last("fenced");
        assertEquals(TaskState.FAILED, last.state());
        assertEquals("FENCED: a newer attachment (epoch 2) exists", last.reason());
    }

    private static TaskSpec withVolume(long epoch) {
        return new TaskSpec("sleep 600", null, Map.of(), Map.of(), 0.1, 16, 0, List.of(), null, List.of(),
                Isolation.DEFAULT, List.of(new VolumeMount("pgdata-0", VolumeType.EXTERNAL, "sharedfs", "/pg", false,
                16, epoch)));
    }

    private TaskStatus last(String taskId) {
        List<TaskStatus> of = reported.stream().filter(s -> s.taskId().equals(taskId)).toList();
        return of.get(of.size() - 1);
    }

    private static LaunchTask launch(String taskId) {
        return LaunchTask.of(NODE, taskId, "/app", 1, new TaskSpec("sleep 600", null, Map.of(), Map.of(), 0.1, 16, 0,
                List.of()), null);
    }

    /** 1 MiB of disk, enforced or only reported. */
    private static TaskSpec spec(boolean enforceDisk) {
        return new TaskSpec("sleep 600", null, Map.of(), Map.of(), 0.1, 16, 1, List.of(), null, List.of(),
                new Isolation(Isolation.Network.HOST, null, enforceDisk));
    }
}
