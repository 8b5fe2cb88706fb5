package dev.berth.agent.runtime;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.contracts.messages.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a task as a plain process: {@code /bin/sh -c cmd}, or {@code args} executed directly. It is
 * started through {@code setsid(1)} when the host has it, so the task leads its own session and
 * process group, apart from the agent's: the group is how the whole tree is signalled, and a task
 * must not receive the signals meant for the agent (a Ctrl-C in the agent's terminal). No resource
 * limits: the node reports its isolation as {@code best-effort}.
 */
public final class ProcessRuntime implements TaskRuntime {
    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private final String host;
    private final Map<String, String> agentEnvironment;
    private final Optional<Path> setsid;

    public ProcessRuntime(String host) {
        this(host, System.getenv());
    }

    public ProcessRuntime(String host, Map<String, String> agentEnvironment) {
        this.host = host;
        this.agentEnvironment = Map.copyOf(agentEnvironment);
        this.setsid = SETSID.stream().filter(Files::isExecutable).findFirst();
    }

    @Override
    public String isolation() {
        return "best-effort";
    }

    @Override
    public RunningProcess start(String taskId, String appId, TaskSpec spec, Sandbox sandbox)
            throws LaunchFailedException {
        try {
            sandbox.create();
        } catch (IOException e) {
            throw new LaunchFailedException("cannot create sandbox " + sandbox.dir() + ": " + e, e);
        }
        Map<String, String> env = TaskEnvironment.of(taskId, appId, spec, host, sandbox.dir(), agentEnvironment);
        List<String> command = new ArrayList<>();
        setsid.ifPresent(path -> command.add(path.toString()));
        if (spec.cmd() != null && !spec.cmd().isBlank()) {
            command.addAll(List.of("/bin/sh", "-c", spec.cmd()));
        } else if (!spec.args().isEmpty()) {
            // Through setsid a missing program would start and then exit 127; say why before launching.
            String program = spec.args().get(0);
            if (!isRunnable(program, sandbox.dir(), env.get("PATH"))) {
                throw new LaunchFailedException("cannot start " + program + ": no such executable", null);
            }
            command.addAll(spec.args());
        } else {
            throw new LaunchFailedException("the task has neither cmd nor args", null);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(sandbox.dir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(sandbox.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(sandbox.stderr().toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            // setsid(1) execs in place when its caller is not a process group leader (a JVM's child
            // never is), so the task's pid is also its process group id.
            return new Started(process, setsid.isPresent() ? process.pid() : 0);
        } catch (IOException e) {
            throw new LaunchFailedException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /** A path to an executable (relative to the sandbox, the task's working directory), or a name on PATH. */
    static boolean isRunnable(String program, Path workingDir, String path) {
        if (program.isBlank()) {
            return false;
        }
        if (program.contains("/")) {
            return Files.isExecutable(workingDir.resolve(program));
        }
        for (String dir : (path == null ? "" : path).split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static final class Started implements RunningProcess {
        private final Process process;
        private final long groupId;
        private final CompletableFuture<Integer> exit;

        Started(Process process, long groupId) {
            this.process = process;
            this.groupId = groupId;
            this.exit = process.onExit().thenApply(Process::exitValue);
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public boolean stop(Duration gracePeriod) {
            return ProcessTree.terminate(process.toHandle(), groupId, gracePeriod);
        }

        @Override
        public void reapLeftovers() {
            ProcessTree.killGroup(groupId);
        }
    }
}
