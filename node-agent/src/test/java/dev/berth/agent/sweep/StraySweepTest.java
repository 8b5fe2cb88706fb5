package dev.berth.agent.sweep;

import dev.berth.agent.isolation.TaskConfinement;
import dev.berth.agent.network.TaskNetworks;
import dev.berth.agent.runtime.AgentMark;
import dev.berth.agent.runtime.HostIsolation;
import dev.berth.agent.runtime.ProcessRuntime;
import dev.berth.agent.runtime.ProcessStamp;
import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep over the host's real cgroups and processes, with two agents on one machine as the tests and the
 * local run have them: "mine" and "theirs", each with its own work dir (so its own mark) and its own cgroup
 * parent, under the <em>same</em> node id. Strays of mine, in my task groups or carrying my mark, are killed;
 * my live tasks and everything of theirs run on.
 */
class StraySweepTest {
    static HostIsolation mineHost;
    static HostIsolation theirsHost;

    private final Path mineDir = Directories.scratch("sweep-mine-");
    private final Path theirsDir = Directories.scratch("sweep-theirs-");
    private final Set<String> live = new CopyOnWriteArraySet<>();
    private final List<TaskRuntime.RunningProcess> started = new ArrayList<>();
    private final List<Process> loose = new ArrayList<>();
    private AgentMark mine;
    private AgentMark theirs;
    private ProcessRuntime mineRuntime;
    private ProcessRuntime theirsRuntime;

    @BeforeAll
    static void probeTheHost() {
        mineHost = HostIsolation.detect("auto", Path.of("/sys/fs/cgroup"), parent() + "/mine/n1");
        theirsHost = HostIsolation.detect("auto", Path.of("/sys/fs/cgroup"), parent() + "/theirs/n1");
    }

    private static String parent() {
        return "berth-test/sweep-" + ProcessHandle.current().pid();
    }

    @AfterAll
    static void removeTheTestsCgroups() {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                for (String dir : List.of("/mine/n1", "/theirs/n1", "/mine", "/theirs", "")) {
                    Files.deleteIfExists(hierarchy.resolve(parent() + dir));
                }
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("StraySweepTest: left empty test cgroups behind: " + e);
        }
    }

    @BeforeEach
    void twoAgentsOnOneMachine() throws IOException {
        Assumptions.assumeTrue(mineHost.cgroups().isPresent(), "SKIPPED: this host gives the agent no usable cgroups");
        mine = AgentMark.in(mineDir, "n1");
        theirs = AgentMark.in(theirsDir, "n1");
        mineRuntime = runtime(mineHost, mine);
        theirsRuntime = runtime(theirsHost, theirs);
    }

    @AfterEach
    void stopWhatRuns() {
        started.forEach(p -> p.stop(Duration.ZERO));
        loose.forEach(Process::destroyForcibly);
        Directories.deleteQuietly(mineDir);
        Directories.deleteQuietly(theirsDir);
    }

    @Test
    void aWorkDirKeepsItsMarkAndAnotherWorkDirHasAnotherUnderTheSameNodeId() throws IOException {
        assertEquals(mine, AgentMark.in(mineDir, "n1"), "a restarted agent knows its tasks again");
        assertFalse(mine.equals(theirs));
        assertTrue(mine.token().startsWith("n1-"), mine.token());
    }

    @Test
    void aStrayInTheAgentsTaskGroupIsKilledAtStartWhileItsLiveTasksAndAnotherAgentsRunOn() throws Exception {
        // Given my live task, a task of mine that no live task accounts for (its end was reported, yet it runs),
        // and a task of the other agent's
        TaskRuntime.RunningProcess liveTask = start(mineRuntime, "app.live-1");
        TaskRuntime.RunningProcess strayTask = start(mineRuntime, "app.ended-1");
        TaskRuntime.RunningProcess theirTask = start(theirsRuntime, "app.ended-1");
        live.add("app.live-1");
        List<Long> strayPids = awaitProcesses(mineRuntime, "app.ended-1");

        // When my agent sweeps as it starts
        List<Stray> found = sweep().run();

        // Then the stray's processes are found in its group, killed, and the group is gone
        assertEquals(Set.copyOf(strayPids), found.stream().map(Stray::pid).collect(Collectors.toSet()));
        assertTrue(found.stream().allMatch(s -> s.foundBy().equals(Stray.BY_CGROUP) && s.taskId().equals("app.ended-1")
                && s.gone()), found.toString());
        strayPids.forEach(pid -> assertFalse(running(pid), "pid " + pid + " is gone"));
        assertFalse(mineRuntime.taskGroups().contains("app.ended-1"), "its group is removed");
        assertTrue(strayTask.exit().isDone() || !strayTask.stamp().find().isPresent());
        // and my live task and the other agent's task (same node id, same task id) run on
        assertTrue(liveTask.stamp().find().isPresent(), "my live task runs on");
        assertTrue(theirTask.stamp().find().isPresent(), "the other agent's task runs on");
        assertFalse(theirsRuntime.processesIn("app.ended-1").isEmpty());
    }

    @Test
    void aStrayCarryingTheAgentsMarkOutsideItsGroupsIsKilledButAnotherAgentsMarkAndALiveTasksAreNot() throws Exception {
        // Given processes in no cgroup of mine: one with my mark for an ended task, one with my mark for a live
        // task, and one with the other agent's mark for the same ended task id
        live.add("app.live-2");
        Process mineEnded = marked(mine, "app.ended-2");
        Process mineLive = marked(mine, "app.live-2");
        Process theirsEnded = marked(theirs, "app.ended-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> MarkedProcesses.carrying(mine).size() >= 2);

        // When my agent sweeps
        List<Stray> found = sweep().run();

        // Then only the one with my mark and no live task is killed
        assertEquals(List.of(mineEnded.pid()), found.stream().map(Stray::pid).toList());
        Stray stray = found.get(0);
        assertEquals(Stray.BY_MARK, stray.foundBy());
        assertEquals("app.ended-2", stray.taskId());
        assertTrue(stray.command().contains("sleep"), stray.command());
        assertTrue(stray.gone());
        assertTrue(mineEnded.waitFor(10, TimeUnit.SECONDS), "killed");
        assertTrue(mineLive.isAlive(), "a live task's process runs on");
        assertTrue(theirsEnded.isAlive(), "another agent's process runs on");
    }

    @Test
    void aLaterSweepFindsWhatAppearedSinceTheLastAndTheReportCountsThem() throws Exception {
        // Given a sweep at start that found nothing
        StraySweep sweep = sweep();
        assertEquals(List.of(), sweep.run());

        // When a stray appears (in a group of mine, and by mark alone), and the next periodic sweep runs
        start(mineRuntime, "app.ended-3");
        List<Long> inGroup = awaitProcesses(mineRuntime, "app.ended-3");
        Process byMark = marked(mine, "app.ended-4");
        await().atMost(Duration.ofSeconds(10)).until(() -> MarkedProcesses.carrying(mine).stream()
                .anyMatch(m -> m.stamp().pid() == byMark.pid()));
        List<Stray> found = sweep.run();

        // Then it finds and kills them, and the report says so
        assertEquals(inGroup.size() + 1, found.size(), found.toString());
        assertTrue(byMark.waitFor(10, TimeUnit.SECONDS), "killed");
        SweepReport report = sweep.report();
        assertEquals(2, report.sweeps());
        assertEquals(inGroup.size() + 1, report.straysKilled());
        assertEquals(found, report.recent());
        assertEquals(List.of(), sweep.run(), "and nothing is left for the next one");
    }

    @Test
    void anAppCannotWearAnAgentsMark() throws Exception {
        // Given an app whose env claims another task's mark of this agent
        TaskSpec spec = new TaskSpec("sleep 600", null, Map.of(), Map.of(AgentMark.VARIABLE, mine.valueFor("app.live-5")),
                0.1, 32, 0, List.of(), null, List.of(), Isolation.DEFAULT);
        TaskRuntime.RunningProcess task = mineRuntime.start("app.own-5", "/app", spec, Sandboxes.under(mineDir)
                .of("app.own-5"));
        started.add(task);

        // Then its processes carry its own mark, which the runtime put there
        await().atMost(Duration.ofSeconds(10)).until(() -> !MarkedProcesses.carrying(mine).isEmpty());
        assertTrue(MarkedProcesses.carrying(mine).stream().allMatch(m -> m.taskId().equals("app.own-5")));
    }

    private StraySweep sweep() {
        return new StraySweep("n1", mineRuntime, Optional.of(mine), () -> live);
    }

    private TaskRuntime.RunningProcess start(ProcessRuntime runtime, String taskId) throws Exception {
        Path workDir = runtime == mineRuntime ? mineDir : theirsDir;
        TaskRuntime.RunningProcess process = runtime.start(taskId, "/app", new TaskSpec("sleep 600", null, Map.of(),
                Map.of(), 0.1, 32, 0, List.of(), null, List.of(), Isolation.DEFAULT), Sandboxes.under(workDir).of(taskId));
        started.add(process);
        return process;
    }

    /** The pids in the task's group once its command runs: then no more come (its first process, init, command). */
    private static List<Long> awaitProcesses(ProcessRuntime runtime, String taskId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.processesIn(taskId).stream()
                .anyMatch(stamp -> stamp.find().flatMap(p -> p.info().command()).orElse("").endsWith("/sleep")));
        return runtime.processesIn(taskId).stream().map(ProcessStamp::pid).toList();
    }

    /** A process in no cgroup of the agent's, carrying a mark (as a task's process that escaped its group would). */
    private Process marked(AgentMark mark, String taskId) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sleep", "600");
        builder.environment().put(AgentMark.VARIABLE, mark.valueFor(taskId));
        Process process = builder.start();
        loose.add(process);
        return process;
    }

    private static boolean running(long pid) {
        return ProcessStamp.of(pid).find().isPresent();
    }

    private static ProcessRuntime runtime(HostIsolation host, AgentMark mark) {
        return new ProcessRuntime("127.0.0.1", System.getenv(), host, 1024, TaskVolumes.none(), TaskConfinement.none(),
                TaskNetworks.unavailable("not under test"), Optional.of(mark));
    }
}
