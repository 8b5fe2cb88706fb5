package dev.berth.agent.task;

import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out the scheduler's commands for this node and reports what happens to each task:
 * STARTING, then RUNNING once the process runs, then FINISHED (exit 0), FAILED (non-zero exit, or
 * could not start) or KILLED (stopped on request, after KILLING).
 *
 * <p>Idempotent, because Kafka delivers at least once: a command id seen before changes nothing,
 * and neither does a launch for a task id this agent already knows, running or ended, so a
 * redelivered launch never starts a second process. A kill for a task it does not know is answered
 * KILLED ("unknown to agent"), so the scheduler can forget the task.
 *
 * <p>Starting and stopping processes blocks (a kill waits out its grace period), so it runs on
 * worker threads, never on the thread that reads commands: one slow kill must not hold up a launch.
 */
public final class TaskSupervisor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskSupervisor.class);
    /** Redeliveries come within a batch or two; ten thousand ids cover far more than that, in bounded memory. */
    static final int REMEMBERED_COMMANDS = 10_000;
    /** Ended tasks are kept (for idempotency and the HTTP listing) up to this many, oldest forgotten first. */
    static final int REMEMBERED_ENDED_TASKS = 10_000;
    /** Marathon's default {@code taskKillGracePeriodSeconds} is 3. */
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(3);

    private final String nodeId;
    private final Sandboxes sandboxes;
    private final TaskRuntime runtime;
    private final StatusSink sink;
    private final ExecutorService workers;
    private final Map<String, ManagedTask> tasks = new ConcurrentHashMap<>();
    private final Deque<String> ended = new ArrayDeque<>();
    private final Set<String> seenCommands = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_COMMANDS;
        }
    });

    public TaskSupervisor(String nodeId, Sandboxes sandboxes, TaskRuntime runtime, StatusSink sink) {
        this(nodeId, sandboxes, runtime, sink, Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "task-worker");
            t.setDaemon(true);
            return t;
        }));
    }

    /** With the executor that starts and stops processes (tests pass one they control). */
    public TaskSupervisor(String nodeId, Sandboxes sandboxes, TaskRuntime runtime, StatusSink sink,
                          ExecutorService workers) {
        this.nodeId = nodeId;
        this.sandboxes = sandboxes;
        this.runtime = runtime;
        this.sink = sink;
        this.workers = workers;
    }

    /** Handles one command meant for this node; returns at once, the work goes on in the background. */
    public void handle(NodeCommand command) {
        synchronized (seenCommands) {
            if (!seenCommands.add(command.id())) {
                LOG.debugf("command %s seen before, ignored", command.id());
                return;
            }
        }
        if (command instanceof LaunchTask launch) {
            launch(launch);
        } else if (command instanceof KillTask kill) {
            kill(kill);
        }
    }

    /** Ids of the tasks that have not ended (reported with every heartbeat), sorted. */
    public List<String> runningTaskIds() {
        return tasks.values().stream().filter(t -> !t.state.isTerminal()).map(t -> t.taskId).sorted().toList();
    }

    /** One task this agent knows (running or ended), if it does. */
    public Optional<TaskView> find(String taskId) {
        ManagedTask task = tasks.get(taskId);
        return task == null ? Optional.empty() : Optional.of(task.view());
    }

    /** Every task this agent knows, oldest launch first. */
    public List<TaskView> tasks() {
        return tasks.values().stream().map(ManagedTask::view)
                .sorted(Comparator.comparing(TaskView::launchedAt)).toList();
    }

    private void launch(LaunchTask launch) {
        ManagedTask task = new ManagedTask(launch.taskId(), launch.appId(), sandboxes.of(launch.taskId()));
        if (tasks.putIfAbsent(launch.taskId(), task) != null) {
            LOG.debugf("task %s already known, launch %s ignored", launch.taskId(), launch.id());
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
        } catch (RuntimeException e) {
            LOG.errorf(e, "launching %s failed", task.taskId);
            task.transition(TaskState.FAILED, "cannot start: " + e, null, launch.id());
            return;
        }
        Duration killedWhileStarting;
        String killCause;
        synchronized (task) {
            task.process = process;
            killedWhileStarting = task.killGrace;
            killCause = task.killCause;
        }
        if (killedWhileStarting != null) {
            stop(task, killedWhileStarting, killCause);
            return;
        }
        task.transition(TaskState.RUNNING, null, null, launch.id());
        // Registered only now, so a task that ends at once still reports RUNNING before its end.
        process.exit().whenComplete((code, error) -> exited(task, code == null ? -1 : code));
    }

    private void exited(ManagedTask task, int code) {
        synchronized (task) {
            if (task.killGrace != null) {
                return; // a kill is under way: it reports the outcome once the whole tree is gone
            }
        }
        // As Mesos's command executor does: when the main process ends, the task ends, and with it
        // whatever it left running in its process group.
        task.process.reapLeftovers();
        if (code == 0) {
            task.transition(TaskState.FINISHED, "exited with code 0", 0, null);
        } else {
            task.transition(TaskState.FAILED, exitReason(code), code, null);
        }
    }

    /** {@code exited with code 3}; a shell's 128+n means the process died of signal n, so say it. */
    static String exitReason(int code) {
        if (code > 128 && code < 128 + 65) {
            return "exited with code " + code + " (signal " + (code - 128) + ")";
        }
        return "exited with code " + code;
    }

    private void kill(KillTask kill) {
        ManagedTask task = tasks.get(kill.taskId());
        if (task == null) {
            sink.report(TaskStatus.of(kill.taskId(), null, nodeId, TaskState.KILLED, "unknown to agent", null,
                    kill.id()));
            return;
        }
        Duration grace = kill.gracePeriodSeconds() > 0 ? Duration.ofSeconds(kill.gracePeriodSeconds()) : DEFAULT_GRACE;
        TaskRuntime.RunningProcess process;
        synchronized (task) {
            if (task.state.isTerminal()) {
                // It has ended already: say so again, the scheduler may have missed it.
                sink.report(TaskStatus.of(task.taskId, task.appId, nodeId, task.state, task.reason, task.exitCode,
                        kill.id()));
                return;
            }
            if (task.killGrace != null) {
                return; // a kill is already under way
            }
            task.killGrace = grace;
            task.killCause = kill.id();
            process = task.process;
        }
        task.transition(TaskState.KILLING, kill.reason(), null, kill.id());
        if (process != null) {
            workers.execute(() -> stop(task, grace, kill.id()));
        } // else the launch is still starting the process, and stops it as soon as it has it
    }

    private void stop(ManagedTask task, Duration grace, String cause) {
        if (!task.process.stop(grace)) {
            LOG.warnf("task %s: processes still present after SIGKILL", task.taskId);
        }
        task.transition(TaskState.KILLED, "killed on request", exitCode(task.process), cause);
    }

    /** The process is gone by now; the JDK completes its exit future a moment later. */
    private static Integer exitCode(TaskRuntime.RunningProcess process) {
        try {
            return process.exit().get(2, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void forgetOldEndedTasks(String taskId) {
        synchronized (ended) {
            ended.addLast(taskId);
            while (ended.size() > REMEMBERED_ENDED_TASKS) {
                tasks.remove(ended.removeFirst());
            }
        }
    }

    /** Stops watching tasks. It does not stop them: tasks outlive their agent on purpose. */
    @Override
    public void close() {
        workers.shutdownNow();
    }

    private final class ManagedTask {
        final String taskId;
        final String appId;
        final Sandbox sandbox;
        final Instant launchedAt = Instant.now();
        volatile TaskState state = TaskState.STAGING;
        volatile String reason;
        volatile Integer exitCode;
        TaskRuntime.RunningProcess process;
        Duration killGrace;
        String killCause;

        ManagedTask(String taskId, String appId, Sandbox sandbox) {
            this.taskId = taskId;
            this.appId = appId;
            this.sandbox = sandbox;
        }

        /**
         * Moves to a new state and reports it, under the task's lock so that reports leave in the
         * order the states were taken. A task never leaves a terminal state, and once a kill has
         * begun only its end is reported.
         */
        void transition(TaskState next, String why, Integer code, String cause) {
            synchronized (this) {
                if (state.isTerminal() || (state == TaskState.KILLING && !next.isTerminal())) {
                    return;
                }
                state = next;
                reason = why;
                exitCode = code;
                sink.report(TaskStatus.of(taskId, appId, nodeId, next, why, code, cause));
            }
            if (next.isTerminal()) {
                forgetOldEndedTasks(taskId);
            }
        }

        synchronized TaskView view() {
            return new TaskView(taskId, appId, process == null ? 0 : process.pid(), state, reason, exitCode,
                    sandbox.dir().toString(), launchedAt);
        }
    }
}
