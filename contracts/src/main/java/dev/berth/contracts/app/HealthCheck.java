package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One of an app's health checks, in Marathon's field names and with Marathon's defaults. The agent
 * that runs the task runs its checks too, next to it; the scheduler replaces a task whose check has
 * failed {@code maxConsecutiveFailures} times in a row (0: never).
 *
 * @param protocol               HTTP (a 2xx or 3xx answer passes), TCP (a connection passes) or COMMAND
 *                               (exit code 0 passes); Marathon's MESOS_HTTP and MESOS_TCP mean the same here
 * @param path                   HTTP only: the path asked for
 * @param portIndex              which of the task's ports to probe (when {@code port} is not given)
 * @param port                   a fixed port to probe instead
 * @param command                COMMAND only: run by {@code /bin/sh -c} in the task's sandbox and namespaces
 * @param gracePeriodSeconds     failures are ignored this long after the start, until the first pass
 * @param intervalSeconds        time between probes
 * @param timeoutSeconds         a probe slower than this fails
 * @param maxConsecutiveFailures failures in a row after which the task is killed and replaced
 * @param delaySeconds           wait this long after the start before the first probe
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HealthCheck(Protocol protocol, String path, Integer portIndex, Integer port, Command command,
                          int gracePeriodSeconds, int intervalSeconds, int timeoutSeconds,
                          int maxConsecutiveFailures, int delaySeconds) {

    public static final int DEFAULT_GRACE_PERIOD_SECONDS = 300;
    public static final int DEFAULT_INTERVAL_SECONDS = 60;
    public static final int DEFAULT_TIMEOUT_SECONDS = 20;
    public static final int DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;
    public static final int DEFAULT_DELAY_SECONDS = 15;

    public enum Protocol { HTTP, TCP, COMMAND }

    /** Marathon's {@code {"value": "curl -f localhost:$PORT0"}}. */
    public record Command(String value) {
    }

    /** The port index probed: {@code portIndex}, or the first port when neither it nor {@code port} is set. */
    public int effectivePortIndex() {
        return portIndex == null ? 0 : portIndex;
    }
}
