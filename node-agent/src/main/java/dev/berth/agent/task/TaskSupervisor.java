package dev.berth.agent.task;

import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Carries out the scheduler's commands for this node and reports what happens to each task.
 *
 * <p>Idempotent: a command id seen before is ignored, and so is a launch for a task id this agent
 * already knows, so a redelivered launch never starts a second process. A kill for a task it does
 * not know is answered KILLED, so the scheduler can forget the task. Starting and stopping
 * processes blocks (a kill waits out its grace period), so it runs on worker threads, never on
 * the thread that reads commands.
 */
public final class TaskSupervisor implements AutoCloseable {
    private static final int REMEMBERED_COMMANDS = 10_000;
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(3);

    private final String nodeId;
    private final Path sandboxRoot;
    private final TaskRuntime runtime;
    private final StatusSink sink;
    private final Map<String, ManagedTask> tasks = new ConcurrentHashMap<>();
    private final Set<String> seenCommands = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_COMMANDS;
        }
    });
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "task-worker");
        t.setDaemon(true);
        return t;
    });

    public TaskSupervisor(String nodeId, Path sandboxRoot, TaskRuntime runtime, StatusSink sink) {
        this.nodeId = nodeId;
        this.sandboxRoot = sandboxRoot;
        this.runtime = runtime;
        this.sink = sink;
    }

    /** Handles one command meant for this node. */
    public void handle(NodeCommand command) {
        synchronized (seenCommands) {
            if (!seenCommands.add(command.id())) {
                return;
            }
        }
        if (command instanceof LaunchTask launch) {
            launch(launch);
        } else if (command instanceof KillTask kill) {
            kill(kill);
        }
    }

    /** Ids of the tasks whose processes run now (reported with every heartbeat). */
    public List<String> runningTaskIds() {
        return tasks.values().stream().filter(t -> !t.state.isTerminal()).map(t -> t.taskId).sorted().toList();
    }

    public List<TaskView> tasks() {
        return tasks.values().stream().map(ManagedTask::view)
                .sorted((a, b) -> a.launchedAt().compareTo(b.launchedAt())).toList();
    }

    private void launch(LaunchTask launch) {
        Path sandbox = sandboxRoot.resolve(safeName(launch.taskId()));
        ManagedTask task = new ManagedTask(launch.taskId(), launch.appId(), sandbox);
        if (tasks.putIfAbsent(launch.taskId(), task) != null) {
            return;
        }
        task.transition(TaskState.STARTING, null, null, launch.id());
        workers.execute(() -> start(task, launch));
    }

    private void start(ManagedTask task, LaunchTask launch) {
        TaskRuntime.RunningProcess process;
        try {
            process = runtime.start(launch.taskId(), launch.appId(), launch.spec(), task.sandbox);
        } catch (TaskRuntime.LaunchFailedException e) {
            task.transition(TaskState.FAILED, e.getMessage(), null, launch.id());
            return;
        }
        boolean killedWhileStarting;
        synchronized (task) {
            task.process = process;
            killedWhileStarting = task.killGrace != null;
        }
        if (killedWhileStarting) {
            stop(task, task.killGrace, launch.id());
            return;
        }
        task.transition(TaskState.RUNNING, null, null, launch.id());
        process.exit().thenAccept(code -> exited(task, process, code));
    }

    private void exited(ManagedTask task, TaskRuntime.RunningProcess process, int code) {
        synchronized (task) {
            if (task.killGrace != null) {
                return; // the kill reports the outcome once the whole tree is gone
            }
        }
        // Like Mesos's command executor: when the main process ends, the task ends, children too.
        process.reapLeftovers();
        if (code == 0) {
            task.transition(TaskState.FINISHED, "exited with code 0", 0, null);
        } else {
            task.transition(TaskState.FAILED, "exited with code " + code, code, null);
        }
    }

    private void kill(KillTask kill) {
        ManagedTask task = tasks.get(kill.taskId());
        if (task == null) {
            sink.report(TaskStatus.of(kill.taskId(), null, nodeId, TaskState.KILLED, "unknown to agent", null, kill.id()));
            return;
        }
        Duration grace = kill.gracePeriodSeconds() > 0 ? Duration.ofSeconds(kill.gracePeriodSeconds()) : DEFAULT_GRACE;
        TaskRuntime.RunningProcess process;
        synchronized (task) {
            if (task.state.isTerminal()) {
                // It ended already; say so again, the scheduler may have missed it.
                sink.report(TaskStatus.of(task.taskId, task.appId, nodeId, task.state, task.reason, task.exitCode,
                        kill.id()));
                return;
            }
            if (task.killGrace != null) {
                return;
            }
            task.killGrace = grace;
            process = task.process;
        }
        task.transition(TaskState.KILLING, kill.reason(), null, kill.id());
        if (process != null) {
            workers.execute(() -> stop(task, grace, kill.id()));
        }
    }

    private void stop(ManagedTask task, Duration grace, String cause) {
        task.process.stop(grace);
        Integer code = task.process.exit().getNow(null);
        task.transition(TaskState.KILLED, "killed on request", code, cause);
    }

    /** Task ids become directory names: keep them to a safe alphabet. */
    static String safeName(String taskId) {
        return taskId.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Override
    public void close() {
        // Tasks outlive the agent on purpose: only the threads that watch them stop.
        workers.shutdownNow();
    }

    private final class ManagedTask {
        final String taskId;
        final String appId;
        final Path sandbox;
        final Instant launchedAt = Instant.now();
        volatile TaskState state = TaskState.STAGING;
        volatile String reason;
        volatile Integer exitCode;
        TaskRuntime.RunningProcess process;
        Duration killGrace;

        ManagedTask(String taskId, String appId, Path sandbox) {
            this.taskId = taskId;
            this.appId = appId;
            this.sandbox = sandbox;
        }

        /**
         * Moves to a new state and reports it, under the task's lock so reports leave in the order
         * the states were taken. A task never leaves a terminal state, and once a kill has begun
         * only its end is reported.
         */
        synchronized void transition(TaskState next, String why, Integer code, String cause) {
            if (state.isTerminal() || (state == TaskState.KILLING && !next.isTerminal())) {
                return;
            }
            state = next;
            reason = why;
            exitCode = code;
            sink.report(TaskStatus.of(taskId, appId, nodeId, next, why, code, cause));
        }

        synchronized TaskView view() {
            return new TaskView(taskId, appId, process == null ? 0 : process.pid(), state, exitCode,
                    sandbox.toString(), launchedAt);
        }
    }
}
