package dev.berth.agent.task;

import dev.berth.agent.runtime.ProcessStamp;
import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor over a scripted runtime: every step runs on the calling thread, so no waiting. */
class TaskSupervisorTest {
    private static final String NODE = "node-1";

    private final FakeRuntime runtime = new FakeRuntime();
    private final List<TaskStatus> reported = new CopyOnWriteArrayList<>();
    private final TaskSupervisor supervisor = new TaskSupervisor(NODE, new Sandboxes(Path.of("/sandboxes"), Path.of("/tasks")), runtime,
            reported::add, new CallerRuns());

    @Test
    void aLaunchedTaskIsReportedStartingThenRunning() {
        supervisor.handle(launch("t1"));

        assertEquals(List.of(TaskState.STARTING, TaskState.RUNNING), states("t1"));
        assertEquals(List.of("t1"), supervisor.runningTaskIds());
        assertEquals(Path.of("/sandboxes/t1"), runtime.started.get(0).sandbox.dir());
    }

    @Test
    void aTaskThatExitsWithZeroIsFinished() {
        supervisor.handle(launch("t1"));

        runtime.process("t1").exit.complete(0);

        TaskStatus last = last("t1");
        assertEquals(TaskState.FINISHED, last.state());
        assertEquals(0, last.exitCode());
        assertTrue(runtime.process("t1").leftoversReaped, "what the task left in its group is killed");
        assertEquals(List.of(), supervisor.runningTaskIds());
    }

    @Test
    void aTaskThatExitsNonZeroHasFailedWithItsCode() {
        supervisor.handle(launch("t1"));

        runtime.process("t1").exit.complete(3);

        TaskStatus last = last("t1");
        assertEquals(TaskState.FAILED, last.state());
        assertEquals(3, last.exitCode());
        assertEquals("exited with code 3", last.reason());
    }

    @Test
    void anExitBySignalSaysWhichSignal() {
        assertEquals("exited with code 137 (signal 9)", TaskSupervisor.exitReason(137));
        assertEquals("exited with code 1", TaskSupervisor.exitReason(1));
    }

    @Test
    void aTaskThatCannotStartHasFailedWithTheReason() {
        runtime.failWith = "cannot start /no/such: no such executable";

        supervisor.handle(launch("t1"));

        assertEquals(List.of(TaskState.STARTING, TaskState.FAILED), states("t1"));
        assertEquals("cannot start /no/such: no such executable", last("t1").reason());
    }

    @Test
    void theSameLaunchDeliveredTwiceStartsOneProcess() {
        LaunchTask launch = launch("t1");

        supervisor.handle(launch);
        supervisor.handle(launch);

        assertEquals(1, runtime.started.size());
        assertEquals(List.of(TaskState.STARTING, TaskState.RUNNING), states("t1"));
    }

    @Test
    void aSecondLaunchForAKnownTaskChangesNothingEvenAfterItEnded() {
        supervisor.handle(launch("t1"));
        runtime.process("t1").exit.complete(0);

        supervisor.handle(launch("t1")); // a new command id, same task

        assertEquals(1, runtime.started.size());
        assertEquals(TaskState.FINISHED, last("t1").state());
    }

    @Test
    void aKillStopsTheTaskWithItsGracePeriodAndReportsKilled() {
        supervisor.handle(launch("t1"));

        KillTask kill = KillTask.of(NODE, "t1", 7, "scale down", null);
        supervisor.handle(kill);

        assertEquals(List.of(TaskState.STARTING, TaskState.RUNNING, TaskState.KILLING, TaskState.KILLED), states("t1"));
        assertEquals(Duration.ofSeconds(7), runtime.process("t1").stoppedWith);
        assertEquals("killed on request", last("t1").reason());
        assertEquals(kill.id(), last("t1").correlationId());
        assertEquals(List.of(), supervisor.runningTaskIds());
    }

    @Test
    void aKillWithoutGracePeriodWaitsThreeSeconds() {
        supervisor.handle(launch("t1"));

        supervisor.handle(KillTask.of(NODE, "t1", 0, null, null));

        assertEquals(Duration.ofSeconds(3), runtime.process("t1").stoppedWith);
    }

    @Test
    void aTaskThatEndsOfTheKillsSigtermIsReportedKilledNotFailed() {
        // Given a running task whose kill is under way
        QueuedWorkers workers = new QueuedWorkers();
        TaskSupervisor supervisor = new TaskSupervisor(NODE, new Sandboxes(Path.of("/s"), Path.of("/t")), runtime, reported::add,
                workers);
        supervisor.handle(launch("t1"));
        workers.runAll();
        supervisor.handle(KillTask.of(NODE, "t1", 1, null, null));

        // When its process ends of the SIGTERM before the kill has finished
        runtime.process("t1").exit.complete(143);
        workers.runAll();

        // Then the one end reported is KILLED
        assertEquals(List.of(TaskState.STARTING, TaskState.RUNNING, TaskState.KILLING, TaskState.KILLED), states("t1"));
        assertEquals(143, last("t1").exitCode());
    }

    @Test
    void aKillForATaskTheAgentDoesNotKnowIsAnsweredKilled() {
        supervisor.handle(KillTask.of(NODE, "ghost", 1, null, null));

        TaskStatus answer = last("ghost");
        assertEquals(TaskState.KILLED, answer.state());
        assertEquals("unknown to agent", answer.reason());
        assertEquals(NODE, answer.nodeId());
        assertTrue(runtime.started.isEmpty());
    }

    @Test
    void aKillForATaskThatHasEndedRepeatsHowItEnded() {
        supervisor.handle(launch("t1"));
        runtime.process("t1").exit.complete(3);

        supervisor.handle(KillTask.of(NODE, "t1", 1, null, null));

        assertEquals(List.of(TaskState.STARTING, TaskState.RUNNING, TaskState.FAILED, TaskState.FAILED), states("t1"));
        assertNull(runtime.process("t1").stoppedWith);
    }

    @Test
    void aKillThatArrivesWhileTheProcessStartsStopsItOnceStarted() {
        // Given a launch whose process start is still under way
        QueuedWorkers workers = new QueuedWorkers();
        TaskSupervisor slow = new TaskSupervisor(NODE, new Sandboxes(Path.of("/s"), Path.of("/t")), runtime, reported::add, workers);
        slow.handle(launch("t1"));

        // When the kill arrives before the process has started
        slow.handle(KillTask.of(NODE, "t1", 2, null, null));
        workers.runAll();

        // Then it is stopped as soon as it runs, and never reported RUNNING
        assertEquals(List.of(TaskState.STARTING, TaskState.KILLING, TaskState.KILLED), states("t1"));
        assertEquals(Duration.ofSeconds(2), runtime.process("t1").stoppedWith);
    }

    @Test
    void aCommandIdSeenBeforeIsIgnored() {
        supervisor.handle(launch("t1"));
        KillTask kill = KillTask.of(NODE, "ghost", 1, null, null);

        supervisor.handle(kill);
        supervisor.handle(kill);

        assertEquals(1, reported.stream().filter(s -> s.taskId().equals("ghost")).count());
    }

    @Test
    void closingTheSupervisorLeavesTasksRunning() {
        supervisor.handle(launch("t1"));

        supervisor.close();

        assertNull(runtime.process("t1").stoppedWith);
        assertFalse(runtime.process("t1").exit.isDone());
    }

    @Test
    void listsTheTasksItKnowsWithPidStateAndSandbox() {
        supervisor.handle(launch("t1"));

        TaskView view = supervisor.tasks().get(0);

        assertEquals("t1", view.taskId());
        assertEquals("/app", view.appId());
        assertEquals(TaskState.RUNNING, view.state());
        assertEquals(4242, view.pid());
        assertEquals("/sandboxes/t1", view.sandbox());
    }

    private List<TaskState> states(String taskId) {
        return reported.stream().filter(s -> s.taskId().equals(taskId)).map(TaskStatus::state).toList();
    }

    private TaskStatus last(String taskId) {
        List<TaskStatus> of = reported.stream().filter(s -> s.taskId().equals(taskId)).toList();
        return of.get(of.size() - 1);
    }

    private static LaunchTask launch(String taskId) {
        return LaunchTask.of(NODE, taskId, "/app", 1, new TaskSpec("sleep 600", null, Map.of(), Map.of(), 0.1, 16, 0,
                List.of()), null);
    }

    /** Starts nothing: records what it was asked, and lets the test end processes. */
    static final class FakeRuntime implements TaskRuntime {
        final List<FakeProcess> started = new ArrayList<>();
        String failWith;

        @Override
        public String isolation() {
            return "none";
        }

        @Override
        public RunningProcess start(String taskId, String appId, TaskSpec spec, Sandbox sandbox)
                throws LaunchFailedException {
            if (failWith != null) {
                throw new LaunchFailedException(failWith, null);
            }
            FakeProcess process = new FakeProcess(taskId, sandbox);
            started.add(process);
            return process;
        }

        @Override
        public RunningProcess adopt(TaskSpec spec, Sandbox sandbox, ProcessStamp stamp) {
            FakeProcess process = new FakeProcess(sandbox.taskId(), sandbox);
            process.adoptedFrom = stamp;
            started.add(process);
            return process;
        }

        FakeProcess process(String taskId) {
            return started.stream().filter(p -> p.taskId.equals(taskId)).findFirst().orElseThrow();
        }
    }

    static final class FakeProcess implements TaskRuntime.RunningProcess {
        final String taskId;
        final Sandbox sandbox;
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        Duration stoppedWith;
        boolean leftoversReaped;
        boolean oomKilled;
        String endReason;
        ProcessStamp adoptedFrom;

        FakeProcess(String taskId, Sandbox sandbox) {
            this.taskId = taskId;
            this.sandbox = sandbox;
        }

        @Override
        public ProcessStamp stamp() {
            return new ProcessStamp(4242, 0);
        }

        @Override
        public java.util.Optional<String> endReason() {
            return java.util.Optional.ofNullable(endReason);
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public boolean stop(Duration gracePeriod) {
            stoppedWith = gracePeriod;
            exit.complete(137);
            return true;
        }

        @Override
        public boolean reapLeftovers() {
            leftoversReaped = true;
            return true;
        }

        @Override
        public boolean oomKilled() {
            return oomKilled;
        }
    }

    /** Runs work on the caller's thread. */
    static class CallerRuns extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    /** Holds work until the test runs it. */
    static final class QueuedWorkers extends CallerRuns {
        private final List<Runnable> queue = new ArrayList<>();

        @Override
        public void execute(Runnable command) {
            queue.add(command);
        }

        void runAll() {
            while (!queue.isEmpty()) {
                queue.remove(0).run();
            }
        }
    }
}
