package dev.berth.contracts.messages;

/** An inclusive range of host ports a node offers to tasks. */
public record PortRange(int begin, int end) {
    public boolean contains(int port) {
        return port >= begin && port <= end;
    }
}
