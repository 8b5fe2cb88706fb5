package dev.berth.router.haproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * The Runtime API commands that take one slot from what haproxy has to what the router wants, without
 * a reload. The address goes before the state, so a slot coming out of maintenance never takes a
 * request at its old address.
 */
final class RuntimeCommands {
    private RuntimeCommands() {
    }

    static List<String> between(String backend, int slot, SlotState running, SlotState wanted) {
        String server = backend + "/" + HaproxyConfig.slotName(slot);
        List<String> commands = new ArrayList<>(2);
        if (wanted.mode() == SlotState.Mode.MAINT) {
            // A slot going to maintenance keeps its address: nothing will be sent there anyway.
            if (running.mode() != SlotState.Mode.MAINT) {
                commands.add("set server " + server + " state maint");
            }
            return commands;
        }
        if (!running.sameAddress(wanted)) {
            commands.add("set server " + server + " addr " + wanted.address() + " port " + wanted.port());
        }
        if (running.mode() != wanted.mode()) {
            commands.add("set server " + server + " state " + (wanted.mode() == SlotState.Mode.READY ? "ready" : "drain"));
        }
        return commands;
    }
}
