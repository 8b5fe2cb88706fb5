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
 *
 * <p>The task's first process belongs to it from the moment it is started, before it has written itself
 * into the cgroup (its first instructions do that): a kill that comes in that instant, while the task is
 * still starting, must stop it too. Counting only the cgroup, such a kill once found an empty group, removed
 * it, and reported the task KILLED while its first process joined the group a moment later and ran on
 * unseen (issue 14). So the first process is a member until it is gone, and a stop is over only once nothing
 * runs <em>and</em> the group is removed: a removed group can be joined by nobody.
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

    /** What it holds besides processes (its network) is freed only once nothing of it runs. */
    @Override
    public boolean stop(Duration gracePeriod) {
        boolean gone = stopProcesses(gracePeriod);
        if (gone) {
            release.run();
        }
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
        if (awaitEmpty(gracePeriod) && removedOrNothingListed(cgroup.get())) {
            return true;
        }
        return killAll();
    }

    @Override
    public boolean reapLeftovers() {
        boolean gone = true;
        if (cgroup.isPresent()) {
            gone = killAll();
        } else {
            ProcessTree.killGroup(groupId);
        }
        if (gone) {
            release.run();
        }
        return gone;
    }

    private boolean killAll() {
        return killAll(cgroup.orElseThrow(), stamp);
    }

    /** {@link #killAll(TaskCgroup, ProcessStamp)} for a group whose first process is not known (an orphan). */
    static boolean killAll(TaskCgroup group) {
        return killAll(group, NO_PROCESS);
    }

    private static final ProcessStamp NO_PROCESS = new ProcessStamp(0, 0);

    /**
     * SIGKILL to a task group (and to its first process, in it or still on its way there) until nothing of
     * it runs and the group is removed: a process may fork between reading the group and signalling it, or
     * join it between the last read and the removal, so read again after each round (the pids limit bounds
     * how many a fork bomb has).
     *
     * @return false if something still ran after the wait for the kernel
     */
    static boolean killAll(TaskCgroup group, ProcessStamp first) {
        Instant deadline = Instant.now().plus(AFTER_KILL);
        while (true) {
            Set<ProcessHandle> members = members(group, first);
            if (members.isEmpty() && removedOrNothingListed(group)) {
                return true;
            }
            members.forEach(ProcessHandle::destroyForcibly);
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            pause();
        }
    }

    /**
     * Removes an empty group. A removal refused means a process joined it since it was last read: then it is
     * not over, and the caller reads it again. A group that lists no process (zombies are not listed) and is
     * still refused has nothing left to kill, so that counts as over too, rather than a stop that never ends.
     */
    private static boolean removedOrNothingListed(TaskCgroup group) {
        return group.remove() || group.pids().isEmpty();
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
     * Everything of the task that runs now: the members of its cgroup, and its first process, which may
     * not have joined the group yet. That list is complete by construction (the first process joins the
     * group before it starts anything), and cheap: walking the process tree instead would read the whole
     * host's process table, on every poll of a kill.
     */
    private Set<ProcessHandle> members() {
        return cgroup.map(group -> members(group, stamp)).orElse(Set.of());
    }

    private static Set<ProcessHandle> members(TaskCgroup group, ProcessStamp first) {
        Set<ProcessHandle> members = new LinkedHashSet<>();
        first.find().ifPresent(members::add);
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
