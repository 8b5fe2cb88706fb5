package dev.berth.contracts.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A host port given to a task, with the name from the app's port definition or mapping (may be null).
 *
 * @param containerPort for a task on a bridge network, the port inside its own network namespace that
 *                      the host port is forwarded to; null on the host network (the task listens on the
 *                      host port itself)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PortAssignment(String name, int port, Integer containerPort) {

    /** A host port on the host network. */
    public PortAssignment(String name, int port) {
        this(name, port, null);
    }
}
