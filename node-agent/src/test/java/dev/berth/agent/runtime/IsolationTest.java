package dev.berth.agent.runtime;

import dev.berth.agent.health.HealthChecksNextToTasks;
import dev.berth.agent.health.HealthMonitor;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime over the host's real cgroups and namespaces. Each test needs a part of them; where the
 * host lacks it the test is skipped, and says so (a laptop without root, a container without a
 * writable cgroup hierarchy).
 */
class IsolationTest {
    static HostIsolation host;

    final Path workDir = Directories.scratch("isolation-");
    private final Sandboxes sandboxes = Sandboxes.under(workDir);
    private final List<TaskRuntime.RunningProcess> started = new ArrayList<>();
    private ProcessRuntime runtime;

    @BeforeAll
    static void probeTheHost() {
        host = HostIsolation.detect("auto", Path.of("/sys/fs/cgroup"), "berth-test/" + ProcessHandle.current().pid());
        System.out.println("IsolationTest: this host gives " + host.describe());
    }

    /** The test's parent groups are empty by now (every task's own group went with it). */
    @AfterAll
    static void removeTheTestsCgroups() throws IOException {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Files.deleteIfExists(hierarchy.resolve("berth-test/" + ProcessHandle.current().pid()));
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("IsolationTest: left empty test cgroups behind: " + e);
        }
    }

    @AfterEach
    void stopWhatRuns() {
        started.forEach(p -> p.stop(Duration.ZERO));
        Directories.deleteQuietly(workDir);
    }

    /** The runtime under test: tasks sharing the host's files here; {@link OwnRootIsolationTest} gives them their own root. */
    ProcessRuntime newRuntime() {
        return new ProcessRuntime("127.0.0.1", host, 1024);
    }

    private void needCgroups() {
        Assumptions.assumeTrue(host.cgroups().isPresent(), "SKIPPED: this host gives the agent no usable cgroups");
        runtime = newRuntime();
    }

    private void needNamespaces() {
        Assumptions.assumeTrue(host.unshare().isPresent(), "SKIPPED: this host does not let the agent create "
                + "namespaces (needs root)");
        runtime = newRuntime();
    }

    @Test
    void aTaskThatAllocatesFarBeyondItsMemIsKilledByTheKernelAndTheRuntimeKnows() throws Exception {
        needCgroups();
        // tail keeps a whole line in memory, and /dev/zero has no line ends: 512 MiB against 32 MiB.
        TaskRuntime.RunningProcess task = start("oom", spec("head -c 512m /dev/zero | tail > /dev/null", 0.5, 32,
                Isolation.DEFAULT));

        int code = task.exit().get(60, TimeUnit.SECONDS);

        assertNotEquals(0, code);
        assertTrue(task.oomKilled(), "the cgroup counted an OOM kill");
    }

    @Test
    void aForkBombStaysWithinThePidsLimitAndTheNodeStaysUsable() throws Exception {
        needCgroups();
        // Forks for ever, keeping every child: without a limit it would take the node's whole pid space.
        // bash, because it retries a failed fork where dash gives up and exits.
        Assumptions.assumeTrue(HostIsolation.tool("bash").isPresent(), "SKIPPED: no bash on this host");
        TaskRuntime.RunningProcess bomb = start("bomb", spec("exec bash -c 'while :; do sleep 600 & done'", 0.5, 64,
                new Isolation(Isolation.Network.HOST, 32, false)));
        TaskProcess process = (TaskProcess) bomb;

        // The bomb has filled its allowance...
        await().atMost(Duration.ofSeconds(30)).until(() -> process.memberCount() >= 30);
        // ...and never more, while the node still starts processes of its own.
        for (int i = 0; i < 20; i++) {
            assertTrue(process.memberCount() <= 32, "at most 32 processes, saw " + process.memberCount());
        }
        Process probe = new ProcessBuilder("true").start();
        assertTrue(probe.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, probe.exitValue());

        assertTrue(bomb.stop(Duration.ofMillis(200)));
        assertEquals(0, process.memberCount(), "nothing of the bomb is left");
    }

    @Test
    void aQuarterCpuInABusyLoopGetsAboutAQuarterOfACore() throws Exception {
        needCgroups();
        TaskRuntime.RunningProcess busy = start("busy", spec("while :; do :; done", 0.25, 32, Isolation.DEFAULT));
        await().atMost(Duration.ofSeconds(10)).until(() -> busy.cpuSeconds() > 0.05);

        double cpuBefore = busy.cpuSeconds();
        long wallBefore = System.nanoTime();
        // Measure over many quota periods (100 ms each) to average out where a window starts: until the
        // loop has had a whole cpu-second, about 4 s at its quota (a whole core would need 1 s).
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> busy.cpuSeconds() - cpuBefore >= 1.0);
        double cores = (busy.cpuSeconds() - cpuBefore) / ((System.nanoTime() - wallBefore) / 1e9);

        System.out.printf("IsolationTest: cpus 0.25 in a busy loop used %.3f cores%n", cores);
        assertTrue(cores > 0.15 && cores < 0.32, "about a quarter of a core, was " + cores);
    }

    @Test
    void aKillLeavesNothingBehindNotEvenGrandchildrenThatIgnoreSigterm() throws Exception {
        needCgroups();
        TaskRuntime.RunningProcess task = start("stubborn", spec(
                "trap '' TERM; (trap '' TERM; sh -c 'trap \"\" TERM; sleep 600' & sleep 600) & setsid sleep 600 & "
                        + "sleep 600", 0.1, 32, Isolation.DEFAULT));
        TaskProcess process = (TaskProcess) task;
        await().atMost(Duration.ofSeconds(10)).until(() -> process.memberCount() >= 6);
        List<Long> pids = process.memberPids();

        assertTrue(task.stop(Duration.ofMillis(500)));

        assertEquals(0, process.memberCount());
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessTree::isRunning).orElse(false), "pid " + pid + " is gone");
        }
    }

    @Test
    void aTaskSeesItsOwnPidNamespaceAndHostname() throws Exception {
        needNamespaces();
        Sandbox sandbox = sandboxes.of("app.ns-1");
        TaskRuntime.RunningProcess task = runtime.start("app.ns-1", "/app", spec(
                "echo pid=$$; hostname; ps -e --no-headers | wc -l", 0.1, 32, Isolation.DEFAULT), sandbox);
        started.add(task);

        assertEquals(0, task.exit().get(30, TimeUnit.SECONDS));

        List<String> out = Files.readAllLines(sandbox.stdout());
        int pid = Integer.parseInt(out.get(0).substring("pid=".length()));
        assertTrue(pid <= 3, "the command runs as a low pid in its own namespace, was " + pid);
        assertEquals(ProcessRuntime.hostname("app.ns-1"), out.get(1));
        assertNotEquals(InetAddress.getLocalHost().getHostName(), out.get(1));
        assertTrue(Integer.parseInt(out.get(2).trim()) <= 5, "it sees only its own processes: " + out);
    }

    @Test
    void aCommandNextToATaskRunsInItsNamespacesAndCgroup() throws Exception {
        needNamespaces();
        needCgroups();
        Sandbox sandbox = sandboxes.of("app.next-1");
        TaskRuntime.RunningProcess task = start(sandbox, spec("sleep 600", 0.1, 32, Isolation.DEFAULT));
        await().atMost(Duration.ofSeconds(10)).until(() -> ((TaskProcess) task).memberCount() >= 3);

        Process check = new ProcessBuilder(task.commandNextTo("hostname; grep -c . /proc/self/cgroup >/dev/null; "
                + "grep memory /proc/self/cgroup; ps -e --no-headers | wc -l"))
                .redirectErrorStream(true).start();
        List<String> out = new String(check.getInputStream().readAllBytes()).lines().toList();
        assertTrue(check.waitFor(10, TimeUnit.SECONDS));

        assertEquals(0, check.exitValue(), String.valueOf(out));
        assertEquals(ProcessRuntime.hostname("app.next-1"), out.get(0), "the task's UTS namespace");
        assertTrue(out.get(1).endsWith("/app.next-1"), "the task's memory cgroup: " + out.get(1));
        assertTrue(Integer.parseInt(out.get(2).trim()) <= 8, "the task's PID namespace: " + out);
    }

    @Test
    void aCommandHealthCheckRunsInTheTasksSandboxAndNamespaces() throws Exception {
        needNamespaces();
        Sandbox sandbox = sandboxes.of("app.check-1");
        TaskSpec spec = new TaskSpec("sleep 600", null, Map.of(), Map.of(), 0.2, 64, 0, List.of(), null,
                List.of(new HealthCheck(HealthCheck.Protocol.COMMAND, null, null, null,
                        new HealthCheck.Command("test \"$(hostname)\" = app-check-1 && test ! -e sick"), 5, 1, 1, 2,
                        0)), Isolation.DEFAULT);
        TaskRuntime.RunningProcess task = start(sandbox, spec);
        List<String> verdicts = new CopyOnWriteArrayList<>();
        HealthMonitor monitor = new HealthMonitor((taskId, state, reason, report) ->
                verdicts.add(state + " " + (report == null ? "-" : report.consecutiveFailures() + " " + report.lastResult())));
        try (HealthChecksNextToTasks checks = new HealthChecksNextToTasks(monitor, "127.0.0.1",
                host.setsid())) {
            checks.watch("app.check-1", "/app", spec, sandbox, task, Instant.now());
            await().atMost(Duration.ofSeconds(20)).until(() -> !verdicts.isEmpty());
            assertEquals("HEALTHY 0", verdicts.get(0).substring(0, "HEALTHY 0".length()), verdicts.toString());

            Files.writeString(sandbox.dir().resolve("sick"), "");
            await().atMost(Duration.ofSeconds(20)).until(() -> verdicts.size() >= 3);
            assertTrue(verdicts.get(2).startsWith("UNHEALTHY 2"), verdicts.toString());
        }
    }

    @Test
    void aTaskRunsAsItsUserAndAnUnknownUserIsRefused() throws Exception {
        needNamespaces();
        Assumptions.assumeTrue(host.setpriv().isPresent(), "SKIPPED: the agent cannot switch users here");
        Assumptions.assumeTrue(TaskUser.lookup("nobody").isPresent(), "SKIPPED: this host has no user nobody");
        Sandbox sandbox = sandboxes.of("app.user-1");
        TaskSpec asNobody = new TaskSpec("id -un; touch written-by-me", null, Map.of(), Map.of(), 0.1, 32, 0,
                List.of(), "nobody", List.of(), Isolation.DEFAULT);
        TaskRuntime.RunningProcess task = start(sandbox, asNobody);

        assertEquals(0, task.exit().get(30, TimeUnit.SECONDS));
        assertEquals("nobody", Files.readAllLines(sandbox.stdout()).get(0));
        assertEquals("nobody", Files.getOwner(sandbox.dir().resolve("written-by-me")).getName());

        TaskSpec asGhost = new TaskSpec("true", null, Map.of(), Map.of(), 0.1, 32, 0, List.of(), "no-such-user-x",
                List.of(), Isolation.DEFAULT);
        TaskRuntime.LaunchFailedException refused = assertThrows(TaskRuntime.LaunchFailedException.class,
                () -> runtime.start("app.user-2", "/app", asGhost, sandboxes.of("app.user-2")));
        assertEquals("user 'no-such-user-x' does not exist on this node", refused.getMessage());
    }

    @Test
    void aTaskWithNetworkNoneHasOnlyItsOwnLoopback() throws Exception {
        needNamespaces();
        Assumptions.assumeTrue(host.privateNet(), "SKIPPED: this host cannot create network namespaces");
        Sandbox sandbox = sandboxes.of("app.net-1");
        TaskRuntime.RunningProcess task = start(sandbox, spec("cat /proc/net/dev | tail -n +3 | cut -d: -f1",
                0.1, 32, new Isolation(Isolation.Network.NONE, null, false)));

        assertEquals(0, task.exit().get(30, TimeUnit.SECONDS));
        assertEquals(List.of("lo"), Files.readAllLines(sandbox.stdout()).stream().map(String::trim).toList());
    }

    @Test
    void anotherRuntimeAdoptsARunningTaskAndLearnsHowOneThatEndedMeanwhileExited() throws Exception {
        needCgroups();
        Sandbox runningSandbox = sandboxes.of("app.adopt-1");
        Sandbox endedSandbox = sandboxes.of("app.adopt-2");
        TaskSpec longRunning = spec("sleep 600", 0.1, 32, Isolation.DEFAULT);
        TaskSpec shortLived = spec("exit 3", 0.1, 32, Isolation.DEFAULT);
        TaskRuntime.RunningProcess running = start(runningSandbox, longRunning);
        TaskRuntime.RunningProcess ended = start(endedSandbox, shortLived);
        assertEquals(3, ended.exit().get(30, TimeUnit.SECONDS));

        // A new runtime, as a restarted agent has, knows them only by their stamps.
        ProcessRuntime next = newRuntime();
        TaskRuntime.RunningProcess adoptedRunning = next.adopt(longRunning, runningSandbox, running.stamp());
        TaskRuntime.RunningProcess adoptedEnded = next.adopt(shortLived, endedSandbox, ended.stamp());
        started.add(adoptedRunning);

        assertEquals(3, adoptedEnded.exit().get(1, TimeUnit.SECONDS), "read from the exit file");
        assertFalse(adoptedRunning.exit().isDone(), "the running one is still running");
        assertTrue(adoptedRunning.stop(Duration.ofSeconds(2)));
        Integer code = adoptedRunning.exit().get(10, TimeUnit.SECONDS);
        assertTrue(code == null || code != 0, "killed, so no clean exit: " + code);
    }

    @Test
    void aTaskGroupNoCheckpointAccountsForIsKilledAndRemoved() throws Exception {
        needCgroups();
        Sandbox known = sandboxes.of("app.known-1");
        Sandbox orphan = sandboxes.of("app.orphan-1");
        TaskRuntime.RunningProcess kept = start(known, spec("sleep 600", 0.1, 32, Isolation.DEFAULT));
        TaskRuntime.RunningProcess lost = start(orphan, spec("sleep 600", 0.1, 32, Isolation.DEFAULT));
        await().atMost(Duration.ofSeconds(10)).until(() -> ((TaskProcess) lost).memberCount() >= 3);
        List<Long> orphanPids = ((TaskProcess) lost).memberPids();

        // A new runtime, as a restarted agent has, knows only the first from its checkpoints
        ProcessRuntime next = newRuntime();
        assertEquals(List.of("app.orphan-1"), next.reapOrphans(java.util.Set.of(known.name())));

        for (long pid : orphanPids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessTree::isRunning).orElse(false), "pid " + pid + " is gone");
        }
        assertTrue(host.cgroups().orElseThrow().existing("app.orphan-1").isEmpty(), "its group is removed");
        assertTrue(((TaskProcess) kept).memberCount() >= 3, "the known task runs on");
    }

    @Test
    void aStampOfAnotherProcessWithTheSamePidFindsNothing() throws IOException {
        ProcessHandle self = ProcessHandle.current();
        ProcessStamp stale = new ProcessStamp(self.pid(), ProcessStamp.of(self.pid()).startTicks() - 6000);
        assertTrue(stale.find().isEmpty(), "the pid was reused by a process started a minute later");
        assertTrue(ProcessStamp.of(self.pid()).find().isPresent());
        assertTrue(ProcessStamp.of(self.pid()).startTicks() > 0);
        assertNull(ExitWatch.readExitCode(workDir.resolve("no-such-file")));
    }

    private TaskRuntime.RunningProcess start(String name, TaskSpec spec) throws Exception {
        return start(sandboxes.of("app." + name), spec);
    }

    private TaskRuntime.RunningProcess start(Sandbox sandbox, TaskSpec spec) throws Exception {
        TaskRuntime.RunningProcess process = runtime.start(sandbox.taskId(), "/app", spec, sandbox);
        started.add(process);
        return process;
    }

    private static TaskSpec spec(String cmd, double cpus, double mem, Isolation isolation) {
        return new TaskSpec(cmd, null, Map.of(), Map.of(), cpus, mem, 0, List.of(), null, List.of(), isolation);
    }
}
