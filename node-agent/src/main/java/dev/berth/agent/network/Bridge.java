package dev.berth.agent.network;

import dev.berth.agent.host.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's bridge: a Linux bridge with the subnet's first address, which every bridged task's veth
 * joins and uses as its default gateway. Made at agent start if missing, reused if there (tasks on it
 * outlive the agent), never removed by the agent: removing it would cut every bridged task off.
 *
 * <p>Two kernel settings go with it: {@code net.ipv4.ip_forward} (tasks' traffic is routed between the
 * bridge and the node's other interfaces) and the bridge's {@code route_localnet}, without which a
 * connection from the node to 127.0.0.1 could not be forwarded into a task (the kernel refuses to send
 * packets with a loopback source out of any other interface). Docker sets the same when it runs without
 * its userland proxy, for the same reason.
 */
final class Bridge {
    private final String ip;
    private final String name;
    private final BridgeSubnet subnet;

    Bridge(String ip, String name, BridgeSubnet subnet) {
        this.ip = ip;
        this.name = name;
        this.subnet = subnet;
    }

    void ensure() throws IOException {
        HostCommand.Result existing = HostCommand.of(ip, "-d", "-o", "link", "show", "dev", name).run();
        if (existing.ok()) {
            if (!existing.output().contains(" bridge ")) {
                throw new IOException("an interface " + name + " exists and is not a bridge: choose another "
                        + "berth.agent.bridge-name");
            }
        } else {
            HostCommand.of(ip, "link", "add", "name", name, "type", "bridge").runOrFail();
        }
        HostCommand.of(ip, "addr", "replace", subnet.gateway() + "/" + subnet.prefix(), "dev", name).runOrFail();
        HostCommand.of(ip, "link", "set", "dev", name, "up").runOrFail();
        write(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
        write(Path.of("/proc/sys/net/ipv4/conf", name, "route_localnet"), "1");
    }

    /** Removes it (tests, and an operator retiring a node; the agent itself never does). */
    void remove() {
        HostCommand.of(ip, "link", "del", "dev", name).runQuietly();
    }

    private static void write(Path setting, String value) throws IOException {
        try {
            Files.writeString(setting, value);
        } catch (IOException e) {
            throw new IOException("cannot set " + setting + " to " + value + ": " + e.getMessage(), e);
        }
    }
}
