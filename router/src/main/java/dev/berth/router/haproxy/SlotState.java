package dev.berth.router.haproxy;

/**
 * Where one server slot of a backend points and how HAProxy treats it: what the running haproxy has,
 * or what the router wants it to have. Comparing the two gives the Runtime API commands.
 */
record SlotState(String address, int port, Mode mode) {
    /** HAProxy's admin states as Berth uses them; health is Berth's, so no slot is ever checked. */
    enum Mode {
        /** Takes new requests. */
        READY,
        /** Takes no new requests (but those of its own sessions); open ones finish. */
        DRAIN,
        /** Takes nothing: a slot with no task, or a task that is gone. */
        MAINT
    }

    /**
     * A slot that never had a task. Port 1 rather than none: a server without a port takes the client's
     * port, and HAProxy then refuses to change it through the Runtime API.
     */
    static final SlotState UNUSED = new SlotState("127.0.0.1", 1, Mode.MAINT);

    SlotState withMode(Mode mode) {
        return new SlotState(address, port, mode);
    }

    boolean sameAddress(SlotState other) {
        return address.equals(other.address) && port == other.port;
    }

    /** The address as HAProxy's configuration writes it: an IPv6 address in brackets. */
    String configAddress() {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
}
