package dev.berth.agent.cgroups;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * cgroup v1: one hierarchy per controller ({@code <root>/memory}, {@code <root>/cpu},
 * {@code <root>/cpuacct}, {@code <root>/pids}); a task has a group of the same name in each. Where
 * cpu and cpuacct share a hierarchy ({@code cpu,cpuacct}) the group is made once.
 */
final class CgroupsV1 implements Cgroups {
    private static final Logger LOG = Logger.getLogger(CgroupsV1.class);
    private static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids");

    private final Path memory;
    private final Path cpu;
    private final Path cpuacct;
    private final Path pids;

    private CgroupsV1(Path memory, Path cpu, Path cpuacct, Path pids) {
        this.memory = memory;
        this.cpu = cpu;
        this.cpuacct = cpuacct;
        this.pids = pids;
    }

    static Optional<Cgroups> open(Path root, String parent) {
        List<Path> parents = new ArrayList<>();
        for (String controller : CONTROLLERS) {
            Path hierarchy = root.resolve(controller);
            if (!Files.isDirectory(hierarchy)) {
                LOG.infof("no cgroup v1 %s hierarchy at %s", controller, hierarchy);
                return Optional.empty();
            }
            try {
                parents.add(hierarchy.toRealPath().resolve(parent));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        CgroupsV1 cgroups = new CgroupsV1(parents.get(0), parents.get(1), parents.get(2), parents.get(3));
        String probe = ".probe-" + ProcessHandle.current().pid();
        try {
            cgroups.create(probe, new CgroupLimits(1, 64L << 20, 16)).remove();
            return Optional.of(cgroups);
        } catch (IOException | RuntimeException e) {
            LOG.infof("cgroup v1 under %s is not usable: %s", root, e.toString());
            cgroups.existing(probe).ifPresent(TaskCgroup::remove);
            return Optional.empty();
        }
    }

    @Override
    public String isolation() {
        return "cgroups-v1";
    }

    @Override
    public TaskCgroup create(String name, CgroupLimits limits) throws IOException {
        Group group = group(name);
        for (Path dir : group.dirs()) {
            Files.createDirectories(dir);
        }
        if (limits.memBytes() > 0) {
            CgroupFiles.write(group.memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memBytes()));
            // Swap counts against the same limit, or a task could page its excess out instead of being stopped.
            Path memsw = group.memory.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) {
                CgroupFiles.write(memsw, Long.toString(limits.memBytes()));
            }
        }
        CgroupFiles.write(group.cpu.resolve("cpu.shares"), Long.toString(limits.cpuShares()));
        CgroupFiles.write(group.cpu.resolve("cpu.cfs_period_us"), Long.toString(CgroupLimits.CPU_PERIOD_MICROS));
        CgroupFiles.write(group.cpu.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuQuotaMicros()));
        if (limits.pidsLimit() > 0) {
            CgroupFiles.write(group.pidsDir.resolve("pids.max"), Integer.toString(limits.pidsLimit()));
        }
        return group;
    }

    @Override
    public List<String> taskGroups() {
        return CgroupFiles.children(memory);
    }

    @Override
    public void removeParentIfEmpty() {
        for (Path parent : new LinkedHashSet<>(List.of(memory, cpu, cpuacct, pids))) {
            CgroupFiles.removeDir(parent); // rmdir refuses while a task group is inside
        }
    }

    @Override
    public Optional<TaskCgroup> existing(String name) {
        Group group = group(name);
        return Files.isDirectory(group.memory) ? Optional.of(group) : Optional.empty();
    }

    private Group group(String name) {
        return new Group(memory.resolve(name), cpu.resolve(name), cpuacct.resolve(name), pids.resolve(name));
    }

    private record Group(Path memory, Path cpu, Path cpuacct, Path pidsDir) implements TaskCgroup {
        /** Each hierarchy once (cpu and cpuacct may be one). */
        Set<Path> dirs() {
            return new LinkedHashSet<>(List.of(memory, cpu, cpuacct, pidsDir));
        }

        @Override
        public List<Path> procsFiles() {
            return dirs().stream().map(dir -> dir.resolve("cgroup.procs")).toList();
        }

        @Override
        public List<Long> pids() {
            Set<Long> all = new LinkedHashSet<>(CgroupFiles.pids(memory.resolve("cgroup.procs")));
            all.addAll(CgroupFiles.pids(pidsDir.resolve("cgroup.procs")));
            return List.copyOf(all);
        }

        @Override
        public boolean oomKilled() {
            // "oom_kill N" since Linux 4.13; before that only under_oom, which is not a count.
            return CgroupFiles.keyed(memory.resolve("memory.oom_control"), "oom_kill") > 0;
        }

        @Override
        public double cpuSeconds() {
            return CgroupFiles.readLong(cpuacct.resolve("cpuacct.usage")) / 1e9;
        }

        @Override
        public long memoryBytes() {
            return CgroupFiles.readLong(memory.resolve("memory.usage_in_bytes"));
        }

        @Override
        public boolean remove() {
            boolean removed = true;
            for (Path dir : dirs()) {
                removed &= CgroupFiles.removeDir(dir);
            }
            return removed;
        }
    }
}
