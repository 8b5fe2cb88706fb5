package dev.berth.agent.network;

/** A bridged task's network could not be made (the node cannot bridge, or a step failed); the message says why. */
public final class NetworkRefusedException extends Exception {
    public NetworkRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
