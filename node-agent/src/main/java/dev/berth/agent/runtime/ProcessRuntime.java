package dev.berth.agent.runtime;

import dev.berth.contracts.messages.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a task as a plain process: {@code /bin/sh -c cmd}, or {@code args} directly, started through
 * {@code setsid} so that the task leads its own session and process group, apart from the agent's
 * (the group is how the whole tree is signalled, and a task must not die with the agent's terminal).
 */
public final class ProcessRuntime implements TaskRuntime {
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final String host;

    public ProcessRuntime(String host) {
        this.host = host;
    }

    @Override
    public RunningProcess start(String taskId, String appId, TaskSpec spec, Path sandbox) throws LaunchFailedException {
        try {
            Files.createDirectories(sandbox);
        } catch (IOException e) {
            throw new LaunchFailedException("cannot create sandbox " + sandbox + ": " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>();
        boolean ownGroup = Files.isExecutable(SETSID);
        if (ownGroup) {
            command.add(SETSID.toString());
        }
        if (spec.cmd() != null) {
            command.addAll(List.of("/bin/sh", "-c", spec.cmd()));
        } else {
            // setsid would start and then fail to exec a missing program; say so before launching.
            String program = spec.args().get(0);
            if (!isRunnable(program)) {
                throw new LaunchFailedException("cannot start " + program + ": no such executable", null);
            }
            command.addAll(spec.args());
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(sandbox.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(sandbox.resolve("stdout").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(sandbox.resolve("stderr").toFile()));
        builder.environment().putAll(TaskEnvironment.of(taskId, appId, spec, host, sandbox));
        try {
            Process process = builder.start();
            // setsid(1) execs in place when its caller is not a group leader (a JVM child never
            // is), so the task's pid is also its process group id.
            return new Started(process, ownGroup ? process.pid() : 0);
        } catch (IOException e) {
            throw new LaunchFailedException("cannot start " + command.get(ownGroup ? 1 : 0) + ": " + e.getMessage(), e);
        }
    }

    /** A path to an executable file, or a name found on the agent's PATH. */
    private static boolean isRunnable(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
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
        public void stop(Duration gracePeriod) {
            ProcessTree.terminate(process.toHandle(), groupId, gracePeriod);
        }

        @Override
        public void reapLeftovers() {
            ProcessTree.killLeftovers(groupId);
        }
    }

    public String host() {
        return host;
    }
}
