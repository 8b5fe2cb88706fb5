package dev.berth.agent.runtime;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.task.CheckpointStore;
import dev.berth.agent.task.HealthWatch;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.agent.volumes.FencingEpoch;
import dev.berth.agent.volumes.ImageProbe;
import dev.berth.agent.volumes.ImageTools;
import dev.berth.agent.volumes.LocalDriver;
import dev.berth.agent.volumes.LocalVolumeFormat;
import dev.berth.agent.volumes.LoopLeftovers;
import dev.berth.agent.volumes.NodeLease;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Volumes in tasks over real processes, namespaces and mounts, and the watchdog that fences a task
 * holding an external volume: through the supervisor, so the reasons are the ones the cluster sees.
 * Skipped, saying why, where the host gives no mount namespaces.
 */
class VolumeIsolationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    static HostIsolation host;

    final Path workDir = Directories.scratch("volumes-");
    private final Path sharedRoot = workDir.resolve("shared");
    final Sandboxes sandboxes = Sandboxes.under(workDir);
    private final CheckpointStore checkpoints = new CheckpointStore(sandboxes);
    private final List<TaskStatus> reported = new CopyOnWriteArrayList<>();
    private final List<TaskSupervisor> supervisors = new ArrayList<>();
    final NodeLease lease = NodeLease.in(workDir, Duration.ofSeconds(30));
    TaskVolumes volumes;

    @BeforeAll
    static void probeTheHost() {
        host = HostIsolation.detect("auto", Path.of("/sys/fs/cgroup"), "berth-test/" + ProcessHandle.current().pid());
    }

    @AfterAll
    static void removeTheTestsCgroups() {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Files.deleteIfExists(hierarchy.resolve("berth-test/" + ProcessHandle.current().pid()));
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("VolumeIsolationTest: left empty test cgroups behind: " + e);
        }
    }

    @BeforeEach
    void needMountNamespaces() throws IOException {
        Assumptions.assumeTrue(host.mountNamespaces(), "SKIPPED: this host gives the agent no mount namespaces "
                + "(needs root, unshare and mount): it offers no volumes");
        Files.createDirectories(sharedRoot);
        volumes = TaskVolumes.of(workDir.resolve("volumes"), Optional.of(sharedRoot), lease);
        lease.renewFrom(NodeLease.clock());
    }

    @AfterEach
    void stopWhatRuns() throws IOException {
        supervisors.forEach(s -> s.tasks().stream().filter(t -> !t.state().isTerminal())
                .forEach(t -> s.handle(dev.berth.contracts.messages.KillTask.of("node-1", t.taskId(), 0, "test over",
                        null))));
        supervisors.forEach(s -> await().atMost(WAIT).until(() -> s.runningTaskIds().isEmpty()));
        supervisors.forEach(TaskSupervisor::close);
        // Image volumes are mounted on the host: unmounted and their loop devices freed, also after a failure.
        LoopLeftovers.removeUnder(workDir);
        Directories.deleteQuietly(workDir);
    }

    @Test
    void aTaskWritesIntoARelativeAndAnAbsoluteVolumeAndTheDataLandsInTheVolumeDirectories() throws Exception {
        // Given a task with a local volume in its sandbox and an external one at an absolute path
        Path absolute = workDir.resolve("abs/pgdata");
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.write-1", "echo one > data/file && echo two > " + absolute + "/file && "
                        + "grep -c ' " + absolute + " ' /proc/self/mountinfo",
                local("app.write.data", "data", false), external("pgdata-0", absolute.toString(), false, 1)));

        // When it has run
        TaskStatus end = awaitEnd("app.write-1");

        // Then it wrote through both mounts into the volumes' directories
        assertEquals(TaskState.FINISHED, end.state(), end.reason());
        assertEquals("one", Files.readString(workDir.resolve("volumes/app.write.data/file")).trim());
        assertEquals("two", Files.readString(sharedRoot.resolve("pgdata-0/file")).trim());
        assertEquals("1", Files.readString(sandboxes.of("app.write-1").stdout()).trim(), "mounted in its namespace");
        // and the external volume records the attachment's epoch
        assertEquals(1, FencingEpoch.read(sharedRoot.resolve("pgdata-0")).getAsLong());
    }

    @Test
    void aTaskWritingPastItsImageVolumesSizeGetsNoSpaceLeftAndTheVolumeStaysUsable() throws Exception {
        Optional<String> cannot = ImageProbe.tryIn(workDir.resolve("probe"), ImageTools.find());
        Assumptions.assumeTrue(cannot.isEmpty(), () -> "SKIPPED: this host cannot loop-mount an image: "
                + cannot.get());
        // Given a node that makes local volumes as images, and a task with an 8 MiB one that writes 16 MiB
        volumes = TaskVolumes.of(new LocalDriver(workDir.resolve("volumes"), LocalVolumeFormat.IMAGE,
                ImageTools.find()), Optional.of(sharedRoot), lease);
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.full-1", "if dd if=/dev/zero of=data/big bs=1M count=16 2>dd.err; "
                        + "then echo wrote it all; else grep -o 'No space left on device' dd.err; fi; "
                        + "rm data/big && echo fine > data/small && cat data/small",
                new VolumeMount("app.full.data", VolumeType.LOCAL, "local", "data", false, 8, 1)));

        // When it has run
        TaskStatus end = awaitEnd("app.full-1");

        // Then its write failed with ENOSPC, and the volume took a write again once the file was gone
        assertEquals(TaskState.FINISHED, end.state(), end.reason());
        assertEquals("No space left on device\nfine", Files.readString(sandboxes.of("app.full-1").stdout()).trim());
        assertEquals("fine", Files.readString(workDir.resolve("volumes/app.full.data/small")).trim());
    }

    @Test
    void aTaskRunningAsItsUserCanWriteIntoItsVolume() throws Exception {
        Assumptions.assumeTrue(host.setpriv().isPresent(), "SKIPPED: the agent cannot switch users here");
        Assumptions.assumeTrue(TaskUser.lookup("nobody").isPresent(), "SKIPPED: this host has no user nobody");
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(LaunchTask.of("node-1", "app.user-1", "/app", 1, new TaskSpec("echo mine > deep/data/f",
                null, Map.of(), Map.of(), 0.1, 32, 0, List.of(), "nobody", List.of(), Isolation.DEFAULT,
                List.of(local("app.user.data", "deep/data", false))), null));

        TaskStatus end = awaitEnd("app.user-1");

        assertEquals(TaskState.FINISHED, end.state(), end.reason());
        assertEquals("nobody", Files.getOwner(workDir.resolve("volumes/app.user.data/f")).getName());
    }

    @Test
    void aReadOnlyVolumeRefusesWritesAndNoMountIsVisibleOnTheHost() throws Exception {
        // Given a volume with data, mounted read-only into a task that stays up
        Files.createDirectories(workDir.resolve("volumes/app.ro.data"));
        Files.writeString(workDir.resolve("volumes/app.ro.data/seed"), "seed\n");
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.ro-1", "cat data/seed; echo x > data/new || echo refused; exec sleep 600",
                local("app.ro.data", "data", true)));
        Sandbox sandbox = sandboxes.of("app.ro-1");
        await().atMost(WAIT).until(() -> Files.exists(sandbox.stdout())
                && Files.readString(sandbox.stdout()).contains("refused"));

        // Then the task read it, could not write it, and the host sees no mount of it
        assertEquals(List.of("seed", "refused"), Files.readAllLines(sandbox.stdout()));
        assertTrue(Files.readString(sandbox.stderr()).contains("Read-only file system"), Files.readString(sandbox.stderr()));
        assertFalse(Files.exists(workDir.resolve("volumes/app.ro.data/new")));
        String hostMounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(hostMounts.contains(workDir.toString()), "no bind of the test's volumes leaked to the host");
        assertFalse(Files.exists(sandbox.dir().resolve("data/seed")), "on the host the mount point is empty");
    }

    @Test
    void anAttachmentOlderThanTheEpochOnTheVolumeIsRefusedAndNeverStarted() throws Exception {
        // Given an external volume that a newer attachment (epoch 5) has used
        Path volume = Files.createDirectories(sharedRoot.resolve("pgdata-1"));
        Files.writeString(FencingEpoch.fileIn(volume), "5\n");
        TaskSupervisor supervisor = supervisor();

        // When a task comes with epoch 4
        supervisor.handle(launch("app.stale-1", "touch " + volume + "/written", external("pgdata-1", "/pg", false, 4)));

        // Then it fails fenced, and never ran
        TaskStatus end = awaitEnd("app.stale-1");
        assertEquals(TaskState.FAILED, end.state());
        assertEquals("FENCED: volume pgdata-1 has epoch 5, this attachment has 4", end.reason());
        assertFalse(Files.exists(sandboxes.of("app.stale-1").stdout()), "no process was started");
        assertFalse(Files.exists(volume.resolve("written")));
        assertEquals(5, FencingEpoch.read(volume).getAsLong(), "the newer epoch stays");
    }

    @Test
    void theWatchdogKillsTheTaskAndItsChildrenSoonAfterTheLeaseRunsOut() throws Exception {
        // Given a running task with an external volume and two children
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.lease-1", "sleep 600 & sleep 600 & wait", external("pgdata-2", "pg", false, 1)));
        TaskProcess process = awaitMembers("app.lease-1", 5);
        List<Long> pids = process.memberPids();

        // When the agent stops renewing and the lease runs out
        lease.expire();
        long expiredAt = System.nanoTime();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> process.exit().isDone());
        long reactionMillis = (System.nanoTime() - expiredAt) / 1_000_000;
        System.out.printf("VolumeIsolationTest: the watchdog ended the task %d ms after its lease ran out%n",
                reactionMillis);

        // Then all of it is dead within about a second, and it ends fenced
        assertTrue(reactionMillis < 1000, "killed within a second, took " + reactionMillis + " ms");
        for (long pid : pids) {
            await().atMost(WAIT).until(() -> !ProcessHandle.of(pid).map(ProcessTree::isRunning).orElse(false));
        }
        TaskStatus end = awaitEnd("app.lease-1");
        assertEquals(TaskState.FAILED, end.state());
        assertEquals("FENCED: lease expired (node cut off from the cluster or agent down)", end.reason());
        assertEquals("lease", Files.readString(sandboxes.of("app.lease-1").fencedMark()).trim());
    }

    @Test
    void aNewerEpochWrittenOnTheVolumeStopsTheTask() throws Exception {
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.epoch-1", "exec sleep 600", external("pgdata-3", "pg", false, 2)));
        TaskProcess process = awaitMembers("app.epoch-1", 2);

        // When another node claims the volume with epoch 3
        Files.writeString(FencingEpoch.fileIn(sharedRoot.resolve("pgdata-3")), "3\n");

        TaskStatus end = awaitEnd("app.epoch-1");
        assertEquals(TaskState.FAILED, end.state());
        assertEquals("FENCED: a newer attachment (epoch 3) exists", end.reason());
        assertTrue(process.exit().isDone());
    }

    @Test
    void aTaskWithoutExternalVolumesHasNoWatchdogAndOutlivesTheLease() throws Exception {
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.nolease-1", "exec sleep 600", local("app.nolease.data", "data", false)));
        TaskProcess process = awaitMembers("app.nolease-1", 2);
        long init = ProcessTree.firstChild(process.pid());
        String initArgs = Files.readString(Path.of("/proc/" + init + "/cmdline"), StandardCharsets.UTF_8);
        assertFalse(initArgs.contains(lease.file().toString()), "its init watches no lease");

        lease.expire();

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !process.exit().isDone());
        assertEquals(TaskState.RUNNING, supervisor.find("app.nolease-1").orElseThrow().state());
    }

    @Test
    void aRestartedAgentReportsATaskFencedWhileItWasDownAsFenced() throws Exception {
        // Given an agent running a task with an external volume
        TaskSupervisor first = supervisor();
        first.handle(launch("app.restart-1", "exec sleep 600", external("pgdata-4", "pg", false, 1)));
        TaskProcess process = awaitMembers("app.restart-1", 2);

        // When the agent goes away, and its lease runs out before another one starts
        first.close();
        supervisors.remove(first);
        lease.expire();
        await().atMost(WAIT).until(() -> Files.exists(sandboxes.of("app.restart-1").exitFile()));
        reported.clear();
        TaskSupervisor second = supervisor();
        second.recover();

        // Then the task it takes over is reported fenced
        TaskStatus end = awaitEnd("app.restart-1");
        assertEquals(TaskState.FAILED, end.state());
        assertEquals("FENCED: lease expired (node cut off from the cluster or agent down)", end.reason());
        assertTrue(process.exit().isDone());
    }

    @Test
    void aVolumeThatCannotBeMountedFailsTheTaskAsVolumeFailed() throws Exception {
        // A mount point that exists as a file on the host cannot take a directory
        Path file = Files.writeString(workDir.resolve("a-file"), "x");
        TaskSupervisor supervisor = supervisor();
        supervisor.handle(launch("app.badmount-1", "true", local("app.badmount.data", file.toString(), false)));
        TaskStatus end = awaitEnd("app.badmount-1");
        assertEquals(TaskState.FAILED, end.state());
        assertTrue(end.reason().startsWith("VOLUME_FAILED: volume app.badmount.data: "), end.reason());

        // and a sharedfs volume on a node without a shared root is refused, saying so
        TaskSupervisor noShare = new TaskSupervisor("node-1", sandboxes, runtime(
                TaskVolumes.of(workDir.resolve("volumes"), Optional.empty(), lease)), reported::add);
        supervisors.add(noShare);
        noShare.handle(launch("app.noshare-1", "true", external("pgdata-5", "pg", false, 1)));
        TaskStatus refused = awaitEnd("app.noshare-1");
        assertTrue(refused.reason().startsWith("VOLUME_FAILED: volume pgdata-5 needs provider 'sharedfs', which "
                + "this node does not offer"), refused.reason());
    }

    @Test
    void aBindThatFailsInTheNamespaceFailsTheStartWithMountsOwnWords() throws Exception {
        // The volume directory vanishes between publishing and binding: mount itself fails
        Path volume = workDir.resolve("volumes/app.vanish.data");
        Sandbox sandbox = sandboxes.of("app.vanish-1");
        Files.createDirectories(volume);
        TaskSpec spec = spec("touch data/x", local("app.vanish.data", "data", false));
        var planned = volumes.publish(spec.volumes(), sandbox.create().dir(), Optional.empty());
        Files.delete(volume);
        var command = LaunchCommand.of(host.setsid(), List.of(), withUnshare(), sandbox, "h", Optional.empty(),
                planned, Optional.of(new LaunchCommand.VolumeTools(HostIsolation.tool("mount").orElseThrow(),
                        HostIsolation.tool("sleep").orElseThrow())), List.of("/bin/sh", "-c", "touch data/x"));
        Process process = new ProcessBuilder(command).directory(sandbox.dir().toFile()).start();
        assertEquals(125, process.waitFor());
        String reason = EndMarks.reason(sandbox).orElseThrow();
        assertTrue(reason.startsWith("VOLUME_FAILED: cannot mount volume app.vanish.data at "), reason);
        assertFalse(Files.exists(sandbox.dir().resolve("data/x")), "the task never ran");
    }

    private static List<String> withUnshare() {
        List<String> flags = new ArrayList<>();
        flags.add(host.unshare().orElseThrow().toString());
        flags.addAll(HostIsolation.NAMESPACES);
        return flags;
    }

    private TaskProcess awaitMembers(String taskId, int count) {
        TaskSupervisor supervisor = supervisors.get(supervisors.size() - 1);
        await().atMost(WAIT).until(() -> supervisor.find(taskId).map(t -> t.state() == TaskState.RUNNING)
                .orElse(false));
        TaskProcess process = started.stream().filter(p -> p.pid() == supervisor.find(taskId).orElseThrow().pid())
                .findFirst().orElseThrow();
        if (host.cgroups().isPresent()) {
            await().atMost(WAIT).until(() -> process.memberCount() >= count);
        }
        return process;
    }

    private final List<TaskProcess> started = new CopyOnWriteArrayList<>();

    private ProcessRuntime runtime() {
        return runtime(volumes);
    }

    /** The runtime under test: tasks sharing the host's files here; {@link OwnRootVolumeIsolationTest} gives them their own root. */
    ProcessRuntime runtime(TaskVolumes taskVolumes) {
        return new ProcessRuntime("127.0.0.1", host, 64, taskVolumes);
    }

    TaskSupervisor supervisor() {
        ProcessRuntime runtime = runtime();
        TaskRuntime recording = new TaskRuntime() {
            @Override
            public String isolation() {
                return runtime.isolation();
            }

            @Override
            public RunningProcess start(String taskId, String appId, TaskSpec spec, Sandbox sandbox)
                    throws LaunchFailedException {
                RunningProcess process = runtime.start(taskId, appId, spec, sandbox);
                started.add((TaskProcess) process);
                return process;
            }

            @Override
            public RunningProcess adopt(TaskSpec spec, Sandbox sandbox, ProcessStamp stamp) {
                RunningProcess process = runtime.adopt(spec, sandbox, stamp);
                started.add((TaskProcess) process);
                return process;
            }
        };
        TaskSupervisor supervisor = new TaskSupervisor("node-1", sandboxes, recording, reported::add,
                TaskSupervisor.newWorkers(), checkpoints, HealthWatch.NONE, sandbox -> {
        });
        supervisors.add(supervisor);
        return supervisor;
    }

    TaskStatus awaitEnd(String taskId) {
        await().atMost(WAIT).until(() -> reported.stream().anyMatch(s -> s.taskId().equals(taskId)
                && s.state().isTerminal()));
        return reported.stream().filter(s -> s.taskId().equals(taskId) && s.state().isTerminal()).findFirst()
                .orElseThrow();
    }

    static LaunchTask launch(String taskId, String cmd, VolumeMount... mounts) {
        return LaunchTask.of("node-1", taskId, "/app", 1, spec(cmd, mounts), null);
    }

    private static TaskSpec spec(String cmd, VolumeMount... mounts) {
        return new TaskSpec(cmd, null, Map.of(), Map.of(), 0.1, 32, 0, List.of(), null, List.of(),
                Isolation.DEFAULT, List.of(mounts));
    }

    static VolumeMount local(String id, String containerPath, boolean readOnly) {
        return new VolumeMount(id, VolumeType.LOCAL, "local", containerPath, readOnly, 16, 1);
    }

    private static VolumeMount external(String id, String containerPath, boolean readOnly, long epoch) {
        return new VolumeMount(id, VolumeType.EXTERNAL, "sharedfs", containerPath, readOnly, 16, epoch);
    }
}
