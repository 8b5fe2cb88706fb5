package dev.berth.agent.cgroups;

import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What is written where, over directory trees shaped like the kernel's (plain files stand in for
 * the kernel's). The real hierarchies are exercised in IsolationTest; this host has v1 only, so the
 * v2 layout is checked here.
 */
class CgroupsTest {
    private final Path root = Directories.scratch("cgroups-");

    @AfterEach
    void cleanUp() {
        Directories.deleteQuietly(root);
    }

    @Test
    void v2IsChosenWhereTheUnifiedHierarchyIsMountedAndGetsItsLimitsInItsFiles() throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");

        Cgroups cgroups = Cgroups.detect(root, "berth/node-1").orElseThrow();
        TaskCgroup task = cgroups.create("web.1", new CgroupLimits(0.25, 64L << 20, 100));

        assertEquals("cgroups-v2", cgroups.isolation());
        assertEquals("+memory +cpu +pids", Files.readString(root.resolve("cgroup.subtree_control")),
                "the controllers are handed down to the agent's groups");
        assertEquals("+memory +cpu +pids", Files.readString(root.resolve("berth/cgroup.subtree_control")));
        assertEquals("+memory +cpu +pids", Files.readString(root.resolve("berth/node-1/cgroup.subtree_control")));
        Path group = root.resolve("berth/node-1/web.1");
        assertEquals(Long.toString(64L << 20), Files.readString(group.resolve("memory.max")));
        assertEquals("25000 100000", Files.readString(group.resolve("cpu.max")));
        assertEquals("10", Files.readString(group.resolve("cpu.weight")));
        assertEquals("100", Files.readString(group.resolve("pids.max")));
        assertEquals(List.of(group.resolve("cgroup.procs")), task.procsFiles());

        Files.writeString(group.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        Files.writeString(group.resolve("cpu.stat"), "usage_usec 2500000\nuser_usec 2000000\n");
        Files.writeString(group.resolve("memory.current"), "1048576\n");
        Files.writeString(group.resolve("cgroup.procs"), "101\n102\n");
        assertTrue(task.oomKilled());
        assertEquals(2.5, task.cpuSeconds());
        assertEquals(1048576, task.memoryBytes());
        assertEquals(List.of(101L, 102L), task.pids());
    }

    @Test
    void v2WithoutTheNeededControllersIsNotUsed() throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset io\n");
        assertTrue(Cgroups.detect(root, "berth/node-1").isEmpty());
    }

    @Test
    void v1GetsAGroupInEachHierarchy() throws IOException {
        for (String controller : List.of("memory", "cpu", "cpuacct", "pids")) {
            Files.createDirectories(root.resolve(controller));
        }
        Cgroups cgroups = Cgroups.detect(root, "berth/node-1").orElseThrow();
        TaskCgroup task = cgroups.create("web.1", new CgroupLimits(1.5, 128L << 20, 0));

        assertEquals("cgroups-v1", cgroups.isolation());
        assertEquals(Long.toString(128L << 20),
                Files.readString(root.resolve("memory/berth/node-1/web.1/memory.limit_in_bytes")));
        assertEquals("1536", Files.readString(root.resolve("cpu/berth/node-1/web.1/cpu.shares")));
        assertEquals("150000", Files.readString(root.resolve("cpu/berth/node-1/web.1/cpu.cfs_quota_us")));
        assertFalse(Files.exists(root.resolve("pids/berth/node-1/web.1/pids.max")), "0 means no limit");
        assertEquals(4, task.procsFiles().size());

        Files.writeString(root.resolve("memory/berth/node-1/web.1/memory.oom_control"),
                "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        assertFalse(task.oomKilled());

        // The node's own group goes when the agent stops, but only once no task group is inside it
        cgroups.removeParentIfEmpty();
        assertTrue(Files.isDirectory(root.resolve("memory/berth/node-1")), "a task is still there");
    }

    @Test
    void noHierarchyMeansNoCgroups() {
        assertTrue(Cgroups.detect(root.resolve("nothing-here"), "berth").isEmpty());
    }

    @Test
    void aQuotaIsNeverBelowWhatTheKernelAccepts() {
        assertEquals(1000, new CgroupLimits(0.001, 0, 0).cpuQuotaMicros());
        assertEquals(2, new CgroupLimits(0.001, 0, 0).cpuShares());
        assertEquals(1, new CgroupLimits(0.001, 0, 0).cpuWeight());
        assertEquals(39, new CgroupLimits(1, 0, 0).cpuWeight());
    }
}
