package dev.berth.agent.cgroups;

import java.nio.file.Path;
import java.util.List;

/** One task's group: where its processes go, what they use, and what the kernel did to them. */
public interface TaskCgroup {

    /** The {@code cgroup.procs} files a process writes its pid to, to join the group in every hierarchy. */
    List<Path> procsFiles();

    /** Pids of every process in the group now. */
    List<Long> pids();

    /** True once the kernel's OOM killer has killed a process of the group. */
    boolean oomKilled();

    /** Cpu time used by all processes of the group, in seconds. */
    double cpuSeconds();

    /** Memory charged to the group now, in bytes. */
    long memoryBytes();

    /** Removes the group; only possible once it is empty. Returns false if something is still there. */
    boolean remove();
}
