package dev.berth.agent.cgroups;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * cgroup v2: one unified hierarchy; a task's group is {@code <root>/<parent>/<task>}. The parent
 * must hand the memory, cpu and pids controllers down to its children ({@code cgroup.subtree_control}),
 * and, by v2's rule that only leaves hold processes, holds no process itself.
 */
final class CgroupsV2 implements Cgroups {
    private static final Logger LOG = Logger.getLogger(CgroupsV2.class);
    private static final List<String> NEEDED = List.of("memory", "cpu", "pids");

    private final Path parent;

    private CgroupsV2(Path parent) {
        this.parent = parent;
    }

    static Optional<Cgroups> open(Path root, String parentName) {
        Path parent = root.resolve(parentName);
        try {
            Set<String> available = Set.of(CgroupFiles.read(root.resolve("cgroup.controllers")).split(" "));
            if (!available.containsAll(NEEDED)) {
                LOG.infof("cgroup v2 at %s lacks controllers %s (has %s)", root, NEEDED, available);
                return Optional.empty();
            }
            // Every level down to the agent's group hands the controllers on, or the task groups get none.
            Path level = root;
            enable(level);
            for (Path name : root.relativize(parent)) {
                level = level.resolve(name);
                Files.createDirectories(level);
                enable(level);
            }
            CgroupsV2 cgroups = new CgroupsV2(parent);
            String probe = ".probe-" + ProcessHandle.current().pid();
            cgroups.create(probe, new CgroupLimits(1, 64L << 20, 16)).remove();
            return Optional.of(cgroups);
        } catch (IOException | RuntimeException e) {
            LOG.infof("cgroup v2 under %s is not usable: %s", root, e.toString());
            return Optional.empty();
        }
    }

    /** Hands the controllers Berth needs down to the group's children, if it does not already. */
    private static void enable(Path group) throws IOException {
        Set<String> enabled = Set.of(CgroupFiles.read(group.resolve("cgroup.subtree_control")).split(" "));
        String missing = NEEDED.stream().filter(c -> !enabled.contains(c)).map(c -> "+" + c)
                .reduce((a, b) -> a + " " + b).orElse("");
        if (!missing.isEmpty()) {
            CgroupFiles.write(group.resolve("cgroup.subtree_control"), missing);
        }
    }

    @Override
    public String isolation() {
        return "cgroups-v2";
    }

    @Override
    public TaskCgroup create(String name, CgroupLimits limits) throws IOException {
        Group group = new Group(parent.resolve(name));
        Files.createDirectories(group.dir);
        if (limits.memBytes() > 0) {
            CgroupFiles.write(group.dir.resolve("memory.max"), Long.toString(limits.memBytes()));
            Path swap = group.dir.resolve("memory.swap.max");
            if (Files.exists(swap)) {
                CgroupFiles.write(swap, "0");
            }
        }
        CgroupFiles.write(group.dir.resolve("cpu.weight"), Long.toString(limits.cpuWeight()));
        CgroupFiles.write(group.dir.resolve("cpu.max"),
                limits.cpuQuotaMicros() + " " + CgroupLimits.CPU_PERIOD_MICROS);
        if (limits.pidsLimit() > 0) {
            CgroupFiles.write(group.dir.resolve("pids.max"), Integer.toString(limits.pidsLimit()));
        }
        return group;
    }

    @Override
    public List<String> taskGroups() {
        return CgroupFiles.children(parent);
    }

    @Override
    public void removeParentIfEmpty() {
        CgroupFiles.removeDir(parent); // rmdir refuses while a task group is inside
    }

    @Override
    public Optional<TaskCgroup> existing(String name) {
        Path dir = parent.resolve(name);
        return Files.isDirectory(dir) ? Optional.of(new Group(dir)) : Optional.empty();
    }

    private record Group(Path dir) implements TaskCgroup {
        @Override
        public List<Path> procsFiles() {
            return List.of(dir.resolve("cgroup.procs"));
        }

        @Override
        public List<Long> pids() {
            return CgroupFiles.pids(dir.resolve("cgroup.procs"));
        }

        @Override
        public boolean oomKilled() {
            return CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill") > 0;
        }

        @Override
        public double cpuSeconds() {
            return CgroupFiles.keyed(dir.resolve("cpu.stat"), "usage_usec") / 1e6;
        }

        @Override
        public long memoryBytes() {
            return CgroupFiles.readLong(dir.resolve("memory.current"));
        }

        @Override
        public boolean remove() {
            return CgroupFiles.removeDir(dir);
        }

        @Override
        public String toString() {
            return dir.toString();
        }
    }
}
