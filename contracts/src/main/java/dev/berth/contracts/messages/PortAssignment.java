package dev.berth.contracts.messages;

/** A host port given to a task, with the name from the app's port definition (may be null). */
public record PortAssignment(String name, int port) {
}
