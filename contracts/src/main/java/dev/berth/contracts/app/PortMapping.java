package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * One port of a task on a bridge network (Marathon's {@code container.portMappings} item): the node
 * forwards {@code hostPort} to {@code containerPort} inside the task's own network namespace. Only for
 * apps with {@code networks: [{"mode": "container/bridge"}]}; apps on the host network use
 * {@link PortDefinition}s.
 *
 * @param containerPort the port the task listens on inside its namespace; 0 (Marathon's meaning) means
 *                      "the same as the host port it gets", so a task that reads {@code $PORT0} still works
 * @param hostPort      the node's port forwarded to it; 0 means any free one from the node's range, as a
 *                      port definition's 0 does; any other value is that exact host port
 * @param protocol      {@code tcp}, {@code udp} or {@code udp,tcp}
 * @param name          the port's name ({@code PORT_<NAME>} in the task's environment), or null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PortMapping(int containerPort, int hostPort, String protocol, String name, Map<String, String> labels) {
    public PortMapping {
        protocol = protocol == null ? "tcp" : protocol;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** What the node must have free for it: its host port, as a port definition (0: any from the range). */
    public PortDefinition hostSide() {
        return new PortDefinition(hostPort, name, protocol, labels);
    }
}
