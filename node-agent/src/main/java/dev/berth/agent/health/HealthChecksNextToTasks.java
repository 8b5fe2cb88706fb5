package dev.berth.agent.health;

import dev.berth.agent.runtime.TaskEnvironment;
import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.task.HealthWatch;
import dev.berth.contracts.messages.TaskSpec;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The supervisor's health watch, done by a {@link HealthMonitor}: HTTP and TCP probes go to the
 * node's address and the task's ports; a COMMAND check runs where the task runs (its cgroup,
 * namespaces, user, sandbox and environment), in a session of its own so that a check that times out
 * is killed with everything it started.
 */
public final class HealthChecksNextToTasks implements HealthWatch {
    private final HealthMonitor monitor;
    private final String host;
    private final Optional<Path> setsid;

    /**
     * @param host   the address tasks listen on (the agent's {@code berth.agent.host})
     * @param setsid {@code setsid(1)}, if the host has it
     */
    public HealthChecksNextToTasks(HealthMonitor monitor, String host, Optional<Path> setsid) {
        this.monitor = monitor;
        this.host = host;
        this.setsid = setsid;
    }

    @Override
    public void watch(String taskId, String appId, TaskSpec spec, Sandbox sandbox, TaskRuntime.RunningProcess process,
                      Instant startedAt) {
        Map<String, String> env = TaskEnvironment.of(taskId, appId, spec, host, sandbox.dir());
        monitor.watch(new HealthTarget(taskId, spec.healthChecks(), spec.ports(), host, startedAt, command -> {
            List<String> argv = new ArrayList<>();
            setsid.ifPresent(path -> argv.add(path.toString()));
            argv.addAll(process.commandNextTo(command));
            ProcessBuilder builder = new ProcessBuilder(argv).directory(sandbox.dir().toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            return builder;
        }));
    }

    @Override
    public void unwatch(String taskId) {
        monitor.unwatch(taskId);
    }

    @Override
    public void close() {
        monitor.close();
    }
}
