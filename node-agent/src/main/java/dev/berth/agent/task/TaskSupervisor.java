package dev.berth.agent.task;

import dev.berth.agent.runtime.ProcessStamp;
import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.SandboxRetention;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.volumes.MountTable;
import dev.berth.contracts.messages.HealthReport;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.TaskUsage;
import dev.berth.contracts.messages.VolumeMount;
import io.opentelemetry.context.Context;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

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
 *
 * <p>A task is reported ended (KILLED, FINISHED, FAILED) only once nothing of it runs: a report of its
 * end is what frees its ports and memory in the scheduler's books, so one sent while a process of it
 * lives on would hand them to the next task. A kill that arrives while the task is still starting is
 * carried out as soon as its first process exists, and ends that process even before it has joined the
 * task's cgroup. Should something survive SIGKILL (stuck in the kernel), the task stays KILLING, and the
 * agent tries again, rather than report an end that has not happened.
 */
public final class TaskSupervisor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskSupervisor.class);
    /** Redeliveries come within a batch or two; ten thousand ids cover far more than that, in bounded memory. */
    static final int REMEMBERED_COMMANDS = 10_000;
    /** Marathon's default {@code taskKillGracePeriodSeconds} is 3. */
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(3);

    private final String nodeId;
    private final Sandboxes sandboxes;
    private final TaskRuntime runtime;
    private final StatusSink sink;
    private final ExecutorService workers;
    private final CheckpointStore checkpoints;
    private final HealthWatch health;
    private final Consumer<Sandbox> logs;
    private final Map<String, ManagedTask> tasks = new ConcurrentHashMap<>();
    /** Ended tasks this agent still knows, and when they ended (see {@link #collectEnded}). */
    private final Map<String, Instant> ended = new HashMap<>();
    private final Set<String> seenCommands = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_COMMANDS;
        }
    });

    public TaskSupervisor(String nodeId, Sandboxes sandboxes, TaskRuntime runtime, StatusSink sink) {
        this(nodeId, sandboxes, runtime, sink, newWorkers());
    }

    /** With the executor that starts and stops processes (tests pass one they control); no checkpoints. */
    public TaskSupervisor(String nodeId, Sandboxes sandboxes, TaskRuntime runtime, StatusSink sink,
                          ExecutorService workers) {
        this(nodeId, sandboxes, runtime, sink, workers, CheckpointStore.none(), HealthWatch.NONE, sandbox -> {
        });
    }

    /**
     * @param checkpoints where tasks are written down for the next agent process
     * @param health      runs the tasks' health checks
     * @param logs        keeps a running task's log files in bounds (called with each usage sample)
     */
    public TaskSupervisor(String nodeId, Sandboxes sandboxes, TaskRuntime runtime, StatusSink sink,
                          ExecutorService workers, CheckpointStore checkpoints, HealthWatch health,
                          Consumer<Sandbox> logs) {
        this.nodeId = nodeId;
        this.sandboxes = sandboxes;
        this.runtime = runtime;
        this.sink = sink;
        this.workers = workers;
        this.checkpoints = checkpoints;
        this.health = health;
        this.logs = logs;
    }

    public static ExecutorService newWorkers() {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "task-worker");
            t.setDaemon(true);
            return t;
        });
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

    /**
     * Takes over the tasks an earlier agent process left in the run directory, before any command
     * is read: running ones are watched again (and reported, so the scheduler hears they live on),
     * ended ones are remembered (a launch delivered again must not start them twice) and their end
     * reported again, in case the earlier agent died before it got out.
     *
     * @return how many tasks were re-adopted running
     */
    public int recover() {
        int adopted = 0;
        List<TaskCheckpoint> all = checkpoints.all();
        Set<String> running = new HashSet<>();
        all.stream().filter(c -> !c.state().isTerminal()).forEach(c -> running.add(sandboxes.of(c.taskId()).name()));
        runtime.reapOrphans(running).forEach(name -> LOG.warnf("killed task group %s: no checkpoint accounts for it "
                + "(its agent died as it started it, or lost its work dir)", name));
        for (TaskCheckpoint checkpoint : all) {
            ManagedTask task = new ManagedTask(checkpoint.taskId(), checkpoint.appId(),
                    sandboxes.of(checkpoint.taskId()), checkpoint.spec(), checkpoint.launchedAt());
            if (tasks.putIfAbsent(task.taskId, task) != null) {
                continue;
            }
            if (checkpoint.state().isTerminal()) {
                task.state = checkpoint.state();
                task.reason = checkpoint.reason();
                task.exitCode = checkpoint.exitCode();
                sink.report(TaskStatus.of(task.taskId, task.appId, nodeId, task.state, task.reason, task.exitCode,
                        null));
                rememberEnded(task.taskId, checkpoints.savedAt(task.taskId).orElse(Instant.now()));
                continue;
            }
            // A STARTING checkpoint has no process: whatever got into its cgroup is reaped as it "ends".
            ProcessStamp stamp = checkpoint.process() == null ? new ProcessStamp(0, 0) : checkpoint.process();
            task.process = runtime.adopt(checkpoint.spec(), task.sandbox, stamp);
            task.adopted = true;
            task.transition(TaskState.RUNNING, "re-adopted after an agent restart", null, null);
            if (!task.process.exit().isDone()) {
                adopted++;
                watchHealth(task);
            }
            task.process.exit().whenComplete((code, error) -> TaskLogContext.around(task.taskId, task.appId,
                    () -> exited(task, code)).run());
        }
        return adopted;
    }

    private void launch(LaunchTask launch) {
        ManagedTask task = new ManagedTask(launch.taskId(), launch.appId(), sandboxes.of(launch.taskId()),
                launch.spec(), Instant.now());
        if (tasks.putIfAbsent(launch.taskId(), task) != null) {
            LOG.debugf("task %s already known, launch %s ignored", launch.taskId(), launch.id());
            return;
        }
        task.launchId = launch.id();
        task.transition(TaskState.STARTING, null, null, launch.id());
        Optional<String> stale = staleAttachment(task);
        if (stale.isPresent()) {
            task.transition(TaskState.FAILED, stale.get(), null, launch.id());
            return;
        }
        // In the launch's trace context too (when traced): what the worker logs names the trace.
        workers.execute(Context.current().wrap(TaskLogContext.around(task.taskId, task.appId, () -> start(task, launch))));
    }

    /**
     * A launch whose volume attachment is older than one this node already ran the volume with (a
     * redelivered or long-delayed launch, also after an agent restart: the tasks it knows come from its
     * checkpoints) is refused before anything is touched. For external volumes the storage's own epoch
     * says the same; this also covers local ones, which keep no epoch on disk.
     */
    private Optional<String> staleAttachment(ManagedTask launched) {
        for (VolumeMount mount : launched.spec.volumes()) {
            long newest = tasks.values().stream().filter(t -> t != launched)
                    .flatMap(t -> t.spec.volumes().stream())
                    .filter(m -> m.volumeId().equals(mount.volumeId()))
                    .mapToLong(VolumeMount::fencingEpoch).max().orElse(Long.MIN_VALUE);
            if (newest > mount.fencingEpoch()) {
                return Optional.of(TaskStatus.FENCED + ": volume " + mount.volumeId() + " has epoch " + newest
                        + ", this attachment has " + mount.fencingEpoch());
            }
        }
        return Optional.empty();
    }

    /** The images (as their apps name them) of the node's tasks that have not ended: none may leave the cache. */
    public Set<String> imagesInUse() {
        Set<String> inUse = new HashSet<>();
        tasks.values().stream().filter(t -> !t.state.isTerminal() && t.spec.image() != null)
                .forEach(t -> inUse.add(t.spec.image().image()));
        return inUse;
    }

    /** The volumes the node's tasks that have not ended hold: none of them may be destroyed. */
    public Set<String> volumesInUse() {
        Set<String> inUse = new HashSet<>();
        tasks.values().stream().filter(t -> !t.state.isTerminal())
                .forEach(t -> t.spec.volumes().forEach(m -> inUse.add(m.volumeId())));
        return inUse;
    }

    private void start(ManagedTask task, LaunchTask launch) {
        checkpoints.save(task.checkpoint());
        TaskRuntime.RunningProcess process;
        try {
            // A pull's progress is told as STARTING again, with how far it got as the reason.
            runtime.prepare(launch.spec(), progress -> task.transition(TaskState.STARTING, progress, null,
                    launch.id()));
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
        checkpoints.save(task.checkpoint());
        if (killedWhileStarting != null) {
            stop(task, killedWhileStarting, killCause);
            return;
        }
        task.transition(TaskState.RUNNING, null, null, launch.id());
        watchHealth(task);
        // Registered only now, so a task that ends at once still reports RUNNING before its end.
        process.exit().whenComplete((code, error) -> TaskLogContext.around(task.taskId, task.appId,
                () -> exited(task, code)).run());
    }

    private void watchHealth(ManagedTask task) {
        if (!task.spec.healthChecks().isEmpty()) {
            health.watch(task.taskId, task.appId, task.spec, task.sandbox, task.process, task.startedAt);
        }
    }

    /** @param code the exit code, or null when no one could learn it (it ended while no agent watched) */
    private void exited(ManagedTask task, Integer code) {
        synchronized (task) {
            if (task.killGrace != null) {
                return; // a kill is under way: it reports the outcome once the whole tree is gone
            }
        }
        health.unwatch(task.taskId);
        // Asked before the leftovers are reaped, which removes the task's cgroup and its counters.
        boolean oomKilled = task.process.oomKilled();
        // As Mesos's command executor does: when the main process ends, the task ends, and with it
        // whatever it left running.
        if (!untilGone(task, task.process::reapLeftovers)) {
            return; // the agent is stopping: the next one finds the task and finishes the job
        }
        String whileAway = task.adopted ? " while the agent was down" : "";
        // Its init said why it ended (its watchdog fenced it, or a volume could not be mounted): that is
        // the reason, whatever signal the exit code shows.
        Optional<String> told = task.process.endReason();
        if (told.isPresent()) {
            task.transition(TaskState.FAILED, told.get(), code, null);
        } else if (oomKilled) {
            task.transition(TaskState.FAILED, TaskStatus.OOM_KILLED + ": the kernel killed it for using more than "
                    + "its " + plain(task.spec.mem()) + " MiB of memory" + whileAway, code, null);
        } else if (code == null) {
            task.transition(TaskState.FAILED, "ended" + whileAway + "; its exit code is unknown", null, null);
        } else if (code == 0) {
            task.transition(TaskState.FINISHED, "exited with code 0" + whileAway, 0, null);
        } else {
            task.transition(TaskState.FAILED, exitReason(code) + whileAway, code, null);
        }
    }

    private static String plain(double mib) {
        return mib == Math.rint(mib) ? Long.toString((long) mib) : Double.toString(mib);
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
        if (!beginKill(task, grace, kill.id(), kill.reason(), null)) {
            synchronized (task) {
                if (task.state.isTerminal()) {
                    // It has ended already: say so again, the scheduler may have missed it.
                    sink.report(TaskStatus.of(task.taskId, task.appId, nodeId, task.state, task.reason,
                            task.exitCode, kill.id()));
                }
            }
        }
    }

    /**
     * Starts stopping a task, unless it has ended or is being stopped already.
     *
     * @param failure null for a kill on request (the task ends KILLED); else why the agent itself stops
     *                it (the task ends FAILED with that reason)
     */
    private boolean beginKill(ManagedTask task, Duration grace, String cause, String why, String failure) {
        TaskRuntime.RunningProcess process;
        synchronized (task) {
            if (task.state.isTerminal() || task.killGrace != null) {
                return false;
            }
            task.killGrace = grace;
            task.killCause = cause;
            task.killFailure = failure;
            process = task.process;
        }
        health.unwatch(task.taskId);
        task.transition(TaskState.KILLING, why, null, cause);
        if (process != null) {
            workers.execute(TaskLogContext.around(task.taskId, task.appId, () -> stop(task, grace, cause)));
        } // else the launch is still starting the process, and stops it as soon as it has it
        return true;
    }

    private void stop(ManagedTask task, Duration grace, String cause) {
        // Should the first attempt leave something, later ones give no grace: SIGTERM has had its chance.
        if (!task.process.stop(grace) && !untilGone(task, () -> task.process.stop(Duration.ZERO))) {
            // The agent is stopping: the task's checkpoint still has it running, for the next agent to take over.
            return;
        }
        if (task.killFailure != null) {
            task.transition(TaskState.FAILED, task.killFailure, exitCode(task.process), cause);
        } else {
            task.transition(TaskState.KILLED, "killed on request", exitCode(task.process), cause);
        }
    }

    /**
     * Runs one attempt to end the task's processes (each attempt waits out SIGKILL, about 30 s) until it
     * reports nothing of the task left: only then may the task be reported ended.
     *
     * @return false only if the agent stops meanwhile (its workers are interrupted)
     */
    private static boolean untilGone(ManagedTask task, BooleanSupplier attempt) {
        int round = 1;
        while (!attempt.getAsBoolean()) {
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            LOG.warnf("task %s: processes still present after SIGKILL (attempt %d); not reporting it ended "
                    + "while they run, trying again", task.taskId, round++);
        }
        return true;
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

    /**
     * Measures what each running task uses (its cgroup's cpu and memory, its sandbox's size), stops
     * those past a disk allowance they asked to have enforced, and rotates their logs. Called every
     * few seconds; walks sandboxes, so it runs on its own thread, never the heartbeat's.
     */
    public void sampleUsage() {
        for (ManagedTask task : tasks.values()) {
            TaskRuntime.RunningProcess process = task.process;
            if (task.state.isTerminal() || process == null) {
                continue;
            }
            long diskBytes = SandboxUsage.bytes(task.sandbox.dir());
            long allowance = (long) (task.spec.disk() * 1024 * 1024);
            boolean diskExceeded = allowance > 0 && diskBytes > allowance;
            task.usage = new TaskUsage(process.cpuSeconds(), process.memoryBytes(), diskBytes, diskExceeded);
            if (diskExceeded && task.spec.isolation().enforceDisk()) {
                // One decimal: caught while a write is under way, "1 MiB, more than its disk of 1 MiB" would read as no excess.
                String why = TaskStatus.DISK_LIMIT_EXCEEDED + ": its sandbox holds "
                        + String.format(Locale.ROOT, "%.1f", diskBytes / (1024.0 * 1024)) + " MiB, more than its disk of "
                        + plain(task.spec.disk()) + " MiB";
                beginKill(task, DEFAULT_GRACE, null, why, why);
            }
            logs.accept(task.sandbox);
        }
    }

    /** The last measured usage of every task that has not ended. */
    public Map<String, TaskUsage> usage() {
        Map<String, TaskUsage> usage = new TreeMap<>();
        tasks.values().forEach(task -> {
            TaskUsage last = task.usage;
            if (last != null && !task.state.isTerminal()) {
                usage.put(task.taskId, last);
            }
        });
        return usage;
    }

    /** A health check changed its verdict on a task (from the health monitor). */
    public void healthChanged(String taskId, TaskState state, String reason, HealthReport report) {
        ManagedTask task = tasks.get(taskId);
        if (task != null) {
            task.transition(state, reason, null, null, report);
        }
    }

    /**
     * An ended task stays known (a launch delivered again must not start it twice; its logs stay
     * readable) until {@link #collectEnded} forgets it: that retention is the one limit on how many.
     */
    private void rememberEnded(String taskId, Instant endedAt) {
        synchronized (ended) {
            ended.put(taskId, endedAt);
        }
    }

    /**
     * Forgets the ended tasks {@code retention} says are due, and removes their sandboxes (output
     * included): their logs are no longer readable. A sandbox that cannot be removed yet (something is
     * mounted in it) keeps its task known, and is tried again on the next call.
     *
     * @return the tasks forgotten
     */
    public List<String> collectEnded(SandboxRetention retention, Instant now) {
        List<String> due;
        synchronized (ended) {
            due = retention.due(ended, now);
        }
        if (due.isEmpty()) {
            return List.of();
        }
        List<MountTable.Mount> mounts;
        try {
            mounts = MountTable.read(); // once for all of them: what is mounted does not change in between
        } catch (IOException e) {
            LOG.warnf("cannot read the mount table, so no ended sandbox is removed this time: %s", e);
            return List.of();
        }
        return due.stream().filter(taskId -> forget(taskId, mounts)).toList();
    }

    /** Removes an ended task's sandbox, checkpoint and run files, and forgets it; false if the sandbox stays. */
    private boolean forget(String taskId, List<MountTable.Mount> mounts) {
        Sandbox sandbox = sandboxes.of(taskId);
        try {
            Optional<String> kept = SandboxRetention.remove(sandbox.dir(), mounts);
            if (kept.isPresent()) {
                LOG.warnf("keeping the sandbox of ended task %s for now: %s", taskId, kept.get());
                return false;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot remove the sandbox of ended task %s yet: %s", taskId, e);
            return false;
        }
        synchronized (ended) {
            ended.remove(taskId);
        }
        tasks.remove(taskId);
        checkpoints.delete(taskId);
        return true;
    }

    /** Stops watching tasks. It does not stop them: tasks outlive their agent on purpose. */
    @Override
    public void close() {
        workers.shutdownNow();
        health.close();
    }

    private final class ManagedTask {
        final String taskId;
        final String appId;
        final Sandbox sandbox;
        final TaskSpec spec;
        final Instant launchedAt;
        final Instant startedAt = Instant.now();
        volatile TaskState state = TaskState.STAGING;
        volatile String reason;
        volatile Integer exitCode;
        volatile TaskUsage usage;
        volatile TaskRuntime.RunningProcess process;
        String launchId;
        boolean adopted;
        Duration killGrace;
        String killCause;
        String killFailure;

        ManagedTask(String taskId, String appId, Sandbox sandbox, TaskSpec spec, Instant launchedAt) {
            this.taskId = taskId;
            this.appId = appId;
            this.sandbox = sandbox;
            this.spec = spec;
            this.launchedAt = launchedAt;
        }

        void transition(TaskState next, String why, Integer code, String cause) {
            transition(next, why, code, cause, null);
        }

        /**
         * Moves to a new state and reports it, under the task's lock so that reports leave in the
         * order the states were taken. A task never leaves a terminal state, and once a kill has
         * begun only its end is reported. An unhealthy task may report UNHEALTHY again: the report
         * that its failures reached the limit is what gets it replaced.
         */
        void transition(TaskState next, String why, Integer code, String cause, HealthReport health) {
            synchronized (this) {
                if (state.isTerminal() || (state == TaskState.KILLING && !next.isTerminal())
                        || (health != null && !state.isActive())) {
                    return;
                }
                state = next;
                reason = why;
                exitCode = code;
                // One line per change of state: the task's story in the agent's log, with its ids as
                // fields in JSON logs.
                TaskLogContext.around(taskId, appId, () -> LOG.infof("task %s: %s%s%s", taskId, next,
                        code == null ? "" : " (exit code " + code + ")", why == null ? "" : ": " + why)).run();
                sink.report(health == null ? TaskStatus.of(taskId, appId, nodeId, next, why, code, cause)
                        : TaskStatus.health(taskId, appId, nodeId, next, why, health));
                if (next.isTerminal()) {
                    checkpoints.save(checkpoint());
                }
            }
            if (next.isTerminal()) {
                rememberEnded(taskId, Instant.now());
            }
        }

        synchronized TaskCheckpoint checkpoint() {
            TaskRuntime.RunningProcess started = process;
            TaskState recorded = state.isTerminal() ? state : started == null ? TaskState.STARTING
                    : TaskState.RUNNING;
            return new TaskCheckpoint(taskId, appId, launchId, spec, started == null ? null : started.stamp(),
                    launchedAt, recorded, state.isTerminal() ? reason : null, state.isTerminal() ? exitCode : null);
        }

        synchronized TaskView view() {
            TaskRuntime.RunningProcess started = process;
            return new TaskView(taskId, appId, started == null ? 0 : started.pid(), state, reason, exitCode,
                    sandbox.dir().toString(), launchedAt, usage);
        }
    }
}
