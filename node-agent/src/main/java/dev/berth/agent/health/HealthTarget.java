package dev.berth.agent.health;

import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.messages.PortAssignment;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A running task whose health checks the {@link HealthMonitor} runs.
 *
 * @param taskId    the task
 * @param checks    its app's health checks, in the app's order (a report's {@code checkIndex} points here)
 * @param ports     the host ports assigned to it, for checks that name a {@code portIndex}
 * @param host      the address its ports are reached on
 * @param startedAt when its process started: grace periods and first-probe delays count from here
 * @param commands  how to run a COMMAND check next to it (may be null if it has none)
 */
public record HealthTarget(String taskId, List<HealthCheck> checks, List<PortAssignment> ports, String host,
                           Instant startedAt, CommandLauncher commands) {

    public HealthTarget {
        Objects.requireNonNull(taskId, "taskId");
        checks = checks == null ? List.of() : List.copyOf(checks);
        ports = ports == null ? List.of() : List.copyOf(ports);
        host = host == null || host.isBlank() ? "127.0.0.1" : host;
        startedAt = startedAt == null ? Instant.now() : startedAt;
    }
}
