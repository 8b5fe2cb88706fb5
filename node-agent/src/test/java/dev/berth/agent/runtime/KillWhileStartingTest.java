package dev.berth.agent.runtime;

import dev.berth.agent.isolation.TaskConfinement;
import dev.berth.agent.network.TaskNetworks;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.sweep.MarkedProcesses;
import dev.berth.agent.task.CheckpointStore;
import dev.berth.agent.task.HealthWatch;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills that arrive while tasks are starting, over the real runtime, cgroups and processes: the local run's
 * {@code sleep 600} that outlived its KILLED report (issue 14). Forty tasks, each killed at another moment
 * of its start: before the runtime was even asked to start it, while its first process is on its way into
 * its cgroup, and just after. Each must be reported KILLED only once none of its processes runs (looked up
 * on the host by the agent's mark and in its cgroup at the moment of the report), and nothing of any of them
 * may be left afterwards.
 */
class KillWhileStartingTest {
    private static final int TASKS = 40;
    static HostIsolation host;

    final Path workDir = Directories.scratch("kill-while-starting-");
    private final Sandboxes sandboxes = Sandboxes.under(workDir);
    private final List<String> taskIds = new ArrayList<>();
    private AgentMark mark;
    private ProcessRuntime runtime;
    private TaskSupervisor supervisor;

    @BeforeAll
    static void probeTheHost() {
        host = HostIsolation.detect("auto", Path.of("/sys/fs/cgroup"), parent());
    }

    private static String parent() {
        return "berth-test/kill-while-starting-" + ProcessHandle.current().pid();
    }

    @AfterAll
    static void removeTheTestsCgroups() {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Files.deleteIfExists(hierarchy.resolve(parent()));
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("KillWhileStartingTest: left empty test cgroups behind: " + e);
        }
    }

    @BeforeEach
    void needCgroups() throws IOException {
        Assumptions.assumeTrue(host.cgroups().isPresent(), "SKIPPED: this host gives the agent no usable cgroups");
        mark = AgentMark.in(workDir, "n1");
        runtime = newRuntime(mark);
    }

    /** Tasks sharing the host's files here; {@link OwnRootKillWhileStartingTest} starts them in their own root. */
    ProcessRuntime newRuntime(AgentMark mark) {
        return new ProcessRuntime("127.0.0.1", System.getenv(), host, 1024, TaskVolumes.none(),
                TaskConfinement.none(), TaskNetworks.unavailable("not under test"), Optional.of(mark));
    }

    @AfterEach
    void killWhatIsLeft() {
        if (supervisor != null) {
            supervisor.close();
        }
        // A failing test must not leave forty sleeps behind.
        if (mark != null) {
            MarkedProcesses.carrying(mark).forEach(m -> m.stamp().find().ifPresent(ProcessHandle::destroyForcibly));
        }
        if (runtime != null) {
            runtime.taskGroups().forEach(runtime::reapTaskGroup);
        }
        Directories.deleteQuietly(workDir);
    }

    @Test
    void aTaskKilledWhileItStartsIsReportedKilledOnlyOnceNothingOfItRunsAndNothingOfItIsLeft() {
        // Given a supervisor that, at each task's end report, looks on the host for what of the task still runs
        Map<String, List<Long>> runningAtEndReport = new ConcurrentHashMap<>();
        List<TaskStatus> reported = new CopyOnWriteArrayList<>();
        HeldStarts starts = new HeldStarts(runtime);
        supervisor = new TaskSupervisor("n1", sandboxes, starts, status -> {
            reported.add(status);
            if (status.state().isTerminal()) {
                runningAtEndReport.put(status.taskId(), runningOf(status.taskId()));
            }
        }, TaskSupervisor.newWorkers(), new CheckpointStore(sandboxes), HealthWatch.NONE, sandbox -> {
        });

        // When forty tasks are each killed at another moment of their start
        for (int i = 0; i < TASKS; i++) {
            String taskId = "app.starting-" + i;
            taskIds.add(taskId);
            if (i % 5 == 0) {
                // before the runtime is even asked to start it: the kill waits for its process
                starts.holdNext();
                supervisor.handle(launch(taskId));
                supervisor.handle(KillTask.of("n1", taskId, 1, "deleted while starting", null));
                starts.release();
            } else {
                // as its process starts and makes its way into its cgroup: 0 to 20 ms after the launch
                supervisor.handle(launch(taskId));
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos((i * 1_637L) % 20_000));
                supervisor.handle(KillTask.of("n1", taskId, 1, "deleted while starting", null));
            }
        }

        // Then each is reported KILLED, at a moment when nothing of it ran any more
        await().atMost(Duration.ofSeconds(120)).until(() -> taskIds.stream().allMatch(runningAtEndReport::containsKey));
        for (String taskId : taskIds) {
            TaskStatus end = reported.stream().filter(s -> s.taskId().equals(taskId) && s.state().isTerminal())
                    .findFirst().orElseThrow();
            assertEquals(TaskState.KILLED, end.state(), taskId + ": " + end.reason());
            assertEquals(List.of(), runningAtEndReport.get(taskId), taskId + " still ran when reported " + end.state());
        }
        // and nothing of any of them is left on the host, by mark or in a task group
        for (String taskId : taskIds) {
            assertEquals(List.of(), runningOf(taskId), taskId + " left processes behind");
        }
        assertEquals(List.of(), runtime.taskGroups(), "every task's cgroup is removed");
    }

    /** The pids of the task's processes now: carrying the agent's mark with its id, or in its cgroup. */
    private List<Long> runningOf(String taskId) {
        List<Long> pids = new ArrayList<>();
        MarkedProcesses.carrying(mark).stream().filter(m -> m.taskId().equals(taskId))
                .forEach(m -> pids.add(m.stamp().pid()));
        runtime.processesIn(Sandboxes.directoryName(taskId)).stream().map(ProcessStamp::pid)
                .filter(pid -> !pids.contains(pid)).forEach(pids::add);
        return pids;
    }

    private static LaunchTask launch(String taskId) {
        return LaunchTask.of("n1", taskId, "/app", 1, new TaskSpec("sleep 600", null, Map.of(), Map.of(), 0.1, 32, 0,
                List.of(), null, List.of(), Isolation.DEFAULT), null);
    }

    /** The real runtime, whose next start can be held back until the test lets it go. */
    private static final class HeldStarts implements TaskRuntime {
        private final TaskRuntime real;
        private volatile CountDownLatch gate = new CountDownLatch(0);

        HeldStarts(TaskRuntime real) {
            this.real = real;
        }

        void holdNext() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        @Override
        public String isolation() {
            return real.isolation();
        }

        @Override
        public RunningProcess start(String taskId, String appId, TaskSpec spec, Sandbox sandbox)
                throws LaunchFailedException {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.start(taskId, appId, spec, sandbox);
        }

        @Override
        public RunningProcess adopt(TaskSpec spec, Sandbox sandbox, ProcessStamp stamp) {
            return real.adopt(spec, sandbox, stamp);
        }
    }
}
