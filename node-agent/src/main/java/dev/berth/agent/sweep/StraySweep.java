package dev.berth.agent.sweep;

import dev.berth.agent.runtime.AgentMark;
import dev.berth.agent.runtime.ProcessRuntime;
import dev.berth.agent.runtime.ProcessStamp;
import dev.berth.agent.sandbox.Sandboxes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Finds and kills the processes of this agent's tasks that no live task accounts for: whatever runs in
 * one of its task groups (under its own cgroup parent) or carries its {@link AgentMark}, while the task
 * it belongs to has ended or is unknown. Nothing should ever be found: a task is reported ended only
 * once its processes are gone. The sweep is the net under that rule, for what a bug, a crash at the
 * wrong moment or a task outside every cgroup could still leave; a process left there would hold its
 * port and memory while the cluster thinks them free. Each one is logged and counted ({@link #report()}).
 *
 * <p>It touches nothing of another agent's: it looks only under this agent's cgroup parent, and only for
 * this agent's mark, whose token no other work dir has. It runs at the agent's start, once the tasks
 * have been taken over, and then every {@code berth.agent.sweep-interval}.
 */
public final class StraySweep {
    private static final Logger LOG = Logger.getLogger(StraySweep.class);
    /** How many of the last strays the report keeps. */
    public static final int RECENT = 100;
    /** SIGKILL cannot be ignored; this only bounds the wait for the kernel to tear processes down. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(10);
    private static final int COMMAND_CHARS = 200;

    private final String nodeId;
    private final ProcessRuntime runtime;
    private final Optional<AgentMark> mark;
    private final Supplier<? extends Collection<String>> liveTaskIds;
    private final Deque<Stray> recent = new ArrayDeque<>();
    private long sweeps;
    private Instant lastSweepAt;
    private long straysKilled;

    /**
     * @param runtime     whose task groups are looked into
     * @param mark        this agent's mark (empty: marks are not looked for)
     * @param liveTaskIds the tasks that have not ended: what runs for them is theirs
     */
    public StraySweep(String nodeId, ProcessRuntime runtime, Optional<AgentMark> mark,
                      Supplier<? extends Collection<String>> liveTaskIds) {
        this.nodeId = nodeId;
        this.runtime = runtime;
        this.mark = mark;
        this.liveTaskIds = liveTaskIds;
    }

    /** One sweep: returns the strays it found and killed (usually none). */
    public synchronized List<Stray> run() {
        // What runs is looked at first, the live tasks second. A task is live before its cgroup is made and
        // its first process starts, and ends only after its last process is gone; so what the first look
        // finds of a task that the second does not list is truly left over, and a task that starts in
        // between is not in the first look. (A group's processes may be read later: an ended task starts none.)
        List<String> groups = runtime.taskGroups();
        List<MarkedProcesses.Marked> marked = mark.map(MarkedProcesses::carrying).orElse(List.of());
        Set<String> live = Set.copyOf(liveTaskIds.get());
        Set<String> liveGroups = live.stream().map(Sandboxes::directoryName).collect(Collectors.toSet());

        List<Stray> found = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (String group : groups) {
            if (liveGroups.contains(group)) {
                continue;
            }
            // Described before the kill: a dead process has no command line left to read.
            Map<ProcessStamp, String> commands = describe(runtime.processesIn(group));
            // An empty group (left by a task that failed to start) goes too, quietly: nothing ran in it.
            boolean gone = runtime.reapTaskGroup(group);
            commands.forEach((stamp, command) -> {
                seen.add(stamp.pid());
                found.add(new Stray(stamp.pid(), group, Stray.BY_CGROUP, command, gone, Instant.now()));
            });
        }
        List<MarkedProcesses.Marked> unowned = marked.stream()
                .filter(m -> !live.contains(m.taskId()) && !seen.contains(m.stamp().pid())).toList();
        Map<ProcessStamp, String> commands = describe(unowned.stream().map(MarkedProcesses.Marked::stamp).toList());
        commands.keySet().forEach(stamp -> stamp.find().ifPresent(ProcessHandle::destroyForcibly));
        Set<ProcessStamp> survivors = awaitGone(commands.keySet());
        for (MarkedProcesses.Marked m : unowned) {
            found.add(new Stray(m.stamp().pid(), m.taskId(), Stray.BY_MARK, commands.get(m.stamp()),
                    !survivors.contains(m.stamp()), Instant.now()));
        }

        found.forEach(this::log);
        sweeps++;
        lastSweepAt = Instant.now();
        straysKilled += found.size();
        found.forEach(stray -> {
            recent.addLast(stray);
            if (recent.size() > RECENT) {
                recent.removeFirst();
            }
        });
        return found;
    }

    /** What the sweeps have found so far. */
    public synchronized SweepReport report() {
        return new SweepReport(sweeps, lastSweepAt, straysKilled, List.copyOf(recent));
    }

    private void log(Stray stray) {
        String where = stray.foundBy().equals(Stray.BY_CGROUP) ? "in its task group" : "by the agent's mark";
        LOG.warnf("node %s: stray process %d (%s) of task %s, found %s, belongs to no live task: %s", nodeId,
                stray.pid(), stray.command(), stray.taskId(), where,
                stray.gone() ? "killed" : "still there after SIGKILL, tried again at the next sweep");
    }

    private static Map<ProcessStamp, String> describe(List<ProcessStamp> processes) {
        Map<ProcessStamp, String> commands = new LinkedHashMap<>();
        for (ProcessStamp stamp : processes) {
            String command = stamp.find().flatMap(p -> p.info().commandLine()).orElse("?");
            commands.put(stamp, command.length() > COMMAND_CHARS ? command.substring(0, COMMAND_CHARS) + "…" : command);
        }
        return commands;
    }

    /** Waits (boundedly) until the processes are gone; returns those still there. */
    private static Set<ProcessStamp> awaitGone(Collection<ProcessStamp> killed) {
        Instant deadline = Instant.now().plus(AFTER_KILL);
        Set<ProcessStamp> left = new HashSet<>(killed);
        while (true) {
            left.removeIf(stamp -> stamp.find().isEmpty());
            if (left.isEmpty() || Instant.now().isAfter(deadline)) {
                return left;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return left;
            }
        }
    }
}
