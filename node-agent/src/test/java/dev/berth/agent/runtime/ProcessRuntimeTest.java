package dev.berth.agent.runtime;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessRuntimeTest {
    private final Path workDir = Directories.scratch("process-runtime-");
    private final Sandboxes sandboxes = Sandboxes.under(workDir);
    private final ProcessRuntime runtime = new ProcessRuntime("10.1.2.3",
            Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "AGENT_SECRET", "s3cret"),
            HostIsolation.bestEffort(), 0);
    private final List<TaskRuntime.RunningProcess> started = new ArrayList<>();

    @AfterEach
    void stopWhatRuns() {
        started.forEach(p -> p.stop(Duration.ZERO));
        Directories.deleteQuietly(workDir);
    }

    @Test
    void runsACmdThroughTheShellInItsSandboxWithItsOutputInFilesThere() throws Exception {
        // Given a command that prints where it runs and writes to both streams
        Sandbox sandbox = sandboxes.of("app.t1");

        // When it is started
        int code = start("app.t1", cmd("pwd; echo oops >&2; echo \"port $PORT0 on $HOST\""), sandbox).exit()
                .get(10, TimeUnit.SECONDS);

        // Then it ran in its sandbox, and its output is in stdout / stderr there
        assertEquals(0, code);
        assertEquals(List.of(sandbox.dir().toString(), "port 31001 on 10.1.2.3"), Files.readAllLines(sandbox.stdout()));
        assertEquals("oops\n", Files.readString(sandbox.stderr()));
    }

    @Test
    void runsArgsDirectlyWithoutAShell() throws Exception {
        Sandbox sandbox = sandboxes.of("app.t2");
        TaskSpec spec = new TaskSpec(null, List.of("echo", "$PORT0", "not expanded"), Map.of(), Map.of(), 0.1, 16, 0,
                List.of());

        assertEquals(0, start("app.t2", spec, sandbox).exit().get(10, TimeUnit.SECONDS));
        assertEquals("$PORT0 not expanded\n", Files.readString(sandbox.stdout()));
    }

    @Test
    void theTaskDoesNotSeeTheAgentsOwnEnvironment() throws Exception {
        Sandbox sandbox = sandboxes.of("app.t3");

        start("app.t3", cmd("env > env.txt"), sandbox).exit().get(10, TimeUnit.SECONDS);

        String env = Files.readString(sandbox.dir().resolve("env.txt"));
        assertFalse(env.contains("AGENT_SECRET"), env);
        assertTrue(env.contains("BERTH_TASK_ID=app.t3"), env);
    }

    @Test
    void reportsTheExitCodeOfTheMainProcess() throws Exception {
        assertEquals(3, start("app.t4", cmd("exit 3"), sandboxes.of("app.t4")).exit().get(10, TimeUnit.SECONDS));
    }

    @Test
    void theTaskLeadsItsOwnProcessGroup() throws Exception {
        Sandbox sandbox = sandboxes.of("app.t5");

        TaskRuntime.RunningProcess process = start("app.t5", cmd("ps -o pgid= -p $$ > pgid; exec sleep 600"), sandbox);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(sandbox.dir().resolve("pgid"))
                        && !Files.readString(sandbox.dir().resolve("pgid")).isBlank());
        assertEquals(process.pid(), Long.parseLong(Files.readString(sandbox.dir().resolve("pgid")).trim()));
    }

    @Test
    void aProgramThatDoesNotExistCannotBeLaunchedAndSaysWhich() {
        TaskSpec spec = new TaskSpec(null, List.of("/no/such/program", "x"), Map.of(), Map.of(), 0.1, 16, 0, List.of());

        var failure = assertThrows(TaskRuntime.LaunchFailedException.class,
                () -> runtime.start("app.t6", "/app", spec, sandboxes.of("app.t6")));
        assertTrue(failure.getMessage().contains("/no/such/program"), failure.getMessage());
    }

    @Test
    void aTaskWithNeitherCmdNorArgsCannotBeLaunched() {
        TaskSpec spec = new TaskSpec(" ", List.of(), Map.of(), Map.of(), 0.1, 16, 0, List.of());

        var failure = assertThrows(TaskRuntime.LaunchFailedException.class,
                () -> runtime.start("app.t7", "/app", spec, sandboxes.of("app.t7")));
        assertEquals("the task has neither cmd nor args", failure.getMessage());
    }

    @Test
    void findsProgramsOnThePathOrRelativeToTheSandbox() throws Exception {
        Path sandbox = Files.createDirectories(workDir.resolve("lookup"));
        Path script = Files.writeString(sandbox.resolve("run.sh"), "#!/bin/sh\n");
        script.toFile().setExecutable(true);

        assertTrue(ProcessRuntime.isRunnable("sh", sandbox, "/usr/bin:/bin"));
        assertTrue(ProcessRuntime.isRunnable("./run.sh", sandbox, ""));
        assertFalse(ProcessRuntime.isRunnable("run.sh", sandbox, "/usr/bin:/bin"));
        assertFalse(ProcessRuntime.isRunnable("no-such-program-here", sandbox, "/usr/bin:/bin"));
    }

    private TaskRuntime.RunningProcess start(String taskId, TaskSpec spec, Sandbox sandbox) throws Exception {
        TaskRuntime.RunningProcess process = runtime.start(taskId, "/app", spec, sandbox);
        started.add(process);
        return process;
    }

    private static TaskSpec cmd(String cmd) {
        return new TaskSpec(cmd, null, Map.of(), Map.of(), 0.1, 16, 0, List.of(new PortAssignment("http", 31001)));
    }
}
