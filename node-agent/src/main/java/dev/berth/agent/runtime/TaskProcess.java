package dev.berth.agent.runtime;

import dev.berth.agent.cgroups.TaskCgroup;
import dev.berth.agent.sandbox.Sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One task's processes, started by this agent or adopted from an earlier one. With a cgroup, the
 * cgroup says what belongs to the task, so a kill reaches every process, however it was started and
 * wherever it re-parented; without one, the tree under the first process and its process group do.
 */
final class TaskProcess implements TaskRuntime.RunningProcess {
    private static final Duration POLL = Duration.ofMillis(50);
    /** SIGKILL cannot be ignored; this only bounds the wait for the kernel to tear processes down. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(30);

    private final ProcessStamp stamp;
    private final CompletableFuture<Integer> exit;
    private final Optional<TaskCgroup> cgroup;
    private final Optional<Path> nsenter;
    private final boolean privateNet;
    private final List<String> userSwitch;
    private final long groupId;
    private final Sandbox sandbox;
    private final boolean ownRoot;
    /** Frees what the task held on the node besides its cgroup (its bridge network), once nothing of it runs. */
    private volatile Runnable release = () -> {
    };

    /**
     * @param nsenter    present when the task has namespaces of its own (and nsenter exists)
     * @param userSwitch the command prefix that becomes the task's user (empty: the agent's)
     * @param groupId    the task's process group, or 0 if it has none of its own
     * @param sandbox    where its init leaves its exit code and marks
     * @param ownRoot    the task was started in a root of its own: checks must run there, never beside it
     */
    TaskProcess(ProcessStamp stamp, CompletableFuture<Integer> exit, Optional<TaskCgroup> cgroup,
                Optional<Path> nsenter, boolean privateNet, List<String> userSwitch, long groupId, Sandbox sandbox,
                boolean ownRoot) {
        this.ownRoot = ownRoot;
        this.stamp = stamp;
        this.exit = exit;
        this.cgroup = cgroup;
        this.nsenter = nsenter;
        this.privateNet = privateNet;
        this.userSwitch = List.copyOf(userSwitch);
        this.groupId = groupId;
        this.sandbox = sandbox;
    }

    @Override
    public ProcessStamp stamp() {
        return stamp;
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    /**
     * What to free once the task has ended, by a stop or by its own end ({@link #reapLeftovers}): the two
     * ways every task's end goes through, started here or adopted, so nothing is freed twice or forgotten.
     */
    void releaseOnEnd(Runnable release) {
        this.release = release;
    }

    @Override
    public boolean stop(Duration gracePeriod) {
        boolean gone = stopProcesses(gracePeriod);
        release.run();
        return gone;
    }

    private boolean stopProcesses(Duration gracePeriod) {
        if (cgroup.isEmpty()) {
            boolean gone = stamp.find().map(leader -> ProcessTree.terminate(leader, groupId, gracePeriod))
                    .orElse(true);
            ProcessTree.killGroup(groupId);
            return gone;
        }
        members().forEach(ProcessHandle::destroy);
        if (!awaitEmpty(gracePeriod)) {
            return killAll();
        }
        cgroup.get().remove();
        return true;
    }

    @Override
    public void reapLeftovers() {
        if (cgroup.isPresent()) {
            killAll();
        } else {
            ProcessTree.killGroup(groupId);
        }
        release.run();
    }

    private boolean killAll() {
        return killAll(cgroup.orElseThrow());
    }

    /**
     * SIGKILL to a task group until it is empty, then removes it: a process may fork between
     * reading the group and signalling it, so read again after each round (the pids limit bounds
     * how many a fork bomb has).
     *
     * @return false if something still ran after the wait for the kernel
     */
    static boolean killAll(TaskCgroup group) {
        Instant deadline = Instant.now().plus(AFTER_KILL);
        while (true) {
            Set<ProcessHandle> members = members(group);
            if (members.isEmpty()) {
                group.remove();
                return true;
            }
            members.forEach(ProcessHandle::destroyForcibly);
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            pause();
        }
    }

    /** How many processes of the task run now. */
    int memberCount() {
        return members().size();
    }

    /** The pids of the task's processes now. */
    List<Long> memberPids() {
        return members().stream().map(ProcessHandle::pid).toList();
    }

    /**
     * Everything of the task that runs now: the members of its cgroup. That list is complete by
     * construction (the task's first process joined the group before it started anything), and
     * cheap: walking the process tree instead would read the whole host's process table, on every
     * poll of a kill.
     */
    private Set<ProcessHandle> members() {
        return cgroup.map(TaskProcess::members).orElse(Set.of());
    }

    private static Set<ProcessHandle> members(TaskCgroup group) {
        Set<ProcessHandle> members = new LinkedHashSet<>();
        group.pids().forEach(pid -> ProcessHandle.of(pid).ifPresent(members::add));
        members.removeIf(process -> !ProcessTree.isRunning(process));
        return members;
    }

    private boolean awaitEmpty(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!members().isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            pause();
        }
        return true;
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Optional<String> endReason() {
        return EndMarks.reason(sandbox);
    }

    @Override
    public boolean oomKilled() {
        return cgroup.map(TaskCgroup::oomKilled).orElse(false);
    }

    @Override
    public double cpuSeconds() {
        return cgroup.map(TaskCgroup::cpuSeconds).orElse(0.0);
    }

    @Override
    public long memoryBytes() {
        return cgroup.map(TaskCgroup::memoryBytes).orElse(0L);
    }

    @Override
    public List<String> commandNextTo(String shellCommand) {
        long namespaceInit = 0;
        if (nsenter.isPresent()) {
            namespaceInit = namespaceTarget();
            if (namespaceInit == 0) {
                // Never run a check on the host instead: it would see the host's hostname, files, processes.
                return List.of("/bin/sh", "-c", "echo 'the task has no namespaces to enter (it is starting, or "
                        + "has ended)' >&2; exit 1");
            }
        }
        return LaunchCommand.nextTo(cgroup.map(TaskCgroup::procsFiles).orElse(List.of()), nsenter, namespaceInit,
                privateNet, userSwitch, shellCommand);
    }

    /**
     * The process whose namespaces a check enters. The task's init is the only child of
     * {@code unshare --fork}; in a task with its own root, the task's own process is the init's child that
     * lives in another mount namespace (the init keeps the host's view, to write the exit code), and only
     * it sees the task's root. 0 if it does not come within a second: a strict own-root task is then not
     * checked at all, rather than checked on the host's files.
     */
    private long namespaceTarget() {
        Instant deadline = Instant.now().plusSeconds(1);
        while (true) {
            long init = stamp.find().map(leader -> ProcessTree.firstChild(leader.pid())).orElse(0L);
            long inRoot = init == 0 ? 0 : ProcessTree.childInOtherMountNamespace(init);
            if (inRoot != 0) {
                return inRoot;
            }
            if (Instant.now().isAfter(deadline) || exit.isDone()) {
                return ownRoot ? 0 : init;
            }
            if (init != 0 && !ownRoot) {
                return init;
            }
            pause();
        }
    }
}
