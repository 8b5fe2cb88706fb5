package dev.berth.system;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What of a task is on the host, looked at from outside the agent as an operator would with
 * {@code ps} and {@code ls /sys/fs/cgroup}: its processes and its cgroup directories. The layout is
 * the agent's ({@code <root>/<controller>/berth/<node>/<task>} on v1, {@code <root>/berth/<node>/<task>}
 * on v2, names made path-safe), written out here again on purpose: a test that reused the agent's
 * code would agree with any mistake in it.
 */
final class TaskTraces {
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final List<String> V1_CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids");
    /**
     * The agents' cgroup parent: they inherit this JVM's environment, so a run that sets
     * {@code BERTH_AGENT_CGROUP_PARENT} (to keep apart from other agents on the machine) puts its
     * tasks there, and they must be looked for there.
     */
    private static final String PARENT = System.getenv().getOrDefault("BERTH_AGENT_CGROUP_PARENT", "berth");

    private TaskTraces() {
    }

    /** The node's parent group in each hierarchy, under which each task has a group of its own. */
    static List<Path> nodeGroups(String nodeId) {
        if (Files.isRegularFile(CGROUP_ROOT.resolve("cgroup.controllers"))) {
            return List.of(CGROUP_ROOT.resolve(PARENT).resolve(safe(nodeId)));
        }
        return V1_CONTROLLERS.stream().map(c -> CGROUP_ROOT.resolve(c).resolve(PARENT).resolve(safe(nodeId)))
                .toList();
    }

    /** The task's cgroup directories (whether or not they exist). */
    static List<Path> cgroupDirs(String nodeId, String taskId) {
        return nodeGroups(nodeId).stream().map(group -> group.resolve(safe(taskId))).toList();
    }

    /** Those of the task's cgroup directories that exist now. */
    static List<Path> existingCgroupDirs(String nodeId, String taskId) {
        return cgroupDirs(nodeId, taskId).stream().filter(Files::isDirectory).toList();
    }

    /** The task groups still under the node's groups (any task's). */
    static List<Path> taskGroupsLeft(String nodeId) {
        List<Path> left = new ArrayList<>();
        for (Path group : nodeGroups(nodeId)) {
            if (!Files.isDirectory(group)) {
                continue;
            }
            try (Stream<Path> children = Files.list(group)) {
                children.filter(Files::isDirectory).forEach(left::add);
            } catch (IOException e) {
                // the group went away while listed: nothing left in it
            }
        }
        return left;
    }

    /**
     * SIGKILL for every process still in a task group of the node, then the groups removed: what a
     * test leaves behind when it fails before deleting its apps. Best effort: a group that will not
     * go stays, and says nothing.
     */
    static void killTasksLeft(String nodeId) {
        List<Path> groups = taskGroupsLeft(nodeId);
        try {
            // Killed again on every poll: a process may fork between the listing and the signal.
            Awaitility.await("the tasks left on " + nodeId + " killed").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20)).until(() -> {
                        groups.forEach(group -> pidsIn(group).forEach(pid ->
                                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly)));
                        return groups.stream().noneMatch(TaskTraces::hasProcesses);
                    });
        } catch (ConditionTimeoutException e) {
            // best effort, as said: the groups that will not go stay
        }
        for (Path group : groups) {
            try {
                Files.deleteIfExists(group);
            } catch (IOException e) {
                // not empty yet, or already gone
            }
        }
    }

    private static boolean hasProcesses(Path group) {
        return pidsIn(group).stream().anyMatch(pid -> process(pid).isPresent());
    }

    private static List<Long> pidsIn(Path group) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(group.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no group (any more)
        }
        return pids;
    }

    /** Every process in the task's group now (from the memory hierarchy on v1). */
    static List<ProcessHandle> processes(String nodeId, String taskId) {
        List<ProcessHandle> processes = new ArrayList<>();
        pidsIn(cgroupDirs(nodeId, taskId).get(0)).forEach(pid -> ProcessHandle.of(pid).ifPresent(processes::add));
        return processes;
    }

    /** The process with this pid, if one runs now. */
    static Optional<ProcessHandle> process(long pid) {
        return ProcessHandle.of(pid).filter(TaskTraces::running);
    }

    /**
     * Alive (the handle compares start times, so a reused pid is not mistaken for it) and not a
     * zombie: a killed process whose parent has not reaped it yet runs nothing.
     */
    static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone between the two looks
        }
    }

    /** {@code Sandboxes.directoryName}: ids become directory names in a safe alphabet. */
    private static String safe(String id) {
        String safe = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.chars().allMatch(c -> c == '.') ? "_" + safe : safe;
    }
}
