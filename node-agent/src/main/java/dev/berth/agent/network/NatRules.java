package dev.berth.agent.network;

import dev.berth.agent.host.HostCommand;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;

/**
 * The node's NAT for its bridge, in one nftables table of its own ({@code ip berth-<bridge>}), so it
 * never touches anybody else's rules and goes with one command:
 * <ul>
 *   <li>a map {@code ports}, {@code protocol . host port → task address . container port}: one element
 *       per forwarded port, added and deleted with its task, so a task's forwarding is never a rule
 *       that must be found again by handle;</li>
 *   <li>{@code prerouting}: connections from elsewhere (other machines, other tasks on the bridge) to
 *       any of the node's own addresses on a mapped port are DNATed to the task;</li>
 *   <li>{@code output}: the same for connections the node itself opens, to 127.0.0.1 or its own
 *       address: that is how the agent's health checks, and a user on the node, reach a bridged task
 *       by its host port. A DNATed packet from 127.0.0.1 may only leave by the bridge because
 *       {@code route_localnet} is on there (see {@link Bridge}), and is masqueraded to the bridge's
 *       address so that the task's answer comes back;</li>
 *   <li>{@code postrouting}: besides that, tasks' connections to anything off the bridge leave with the
 *       node's address (masquerade), and a task reaching another task (or itself) through a host port
 *       is masqueraded too, or the answer would go straight back across the bridge, un-NATed.</li>
 * </ul>
 * nftables rather than iptables: Debian's default, one atomic transaction per change ({@code nft -f -}),
 * and maps, which make per-task forwarding an element rather than a rule.
 */
final class NatRules {
    private final String nft;
    private final String table;
    private final String bridge;
    private final BridgeSubnet subnet;

    NatRules(String nft, String bridge, BridgeSubnet subnet) {
        this.nft = nft;
        this.table = "berth-" + bridge;
        this.bridge = bridge;
        this.subnet = subnet;
    }

    String table() {
        return table;
    }

    /**
     * Makes the table, or brings an existing one's chains back to these rules, keeping its map: the
     * forwarding of tasks that run on across an agent restart must not blink.
     */
    void install() throws IOException {
        String t = "ip " + table;
        String script = String.join("\n",
                "add table " + t,
                "add map " + t + " ports { type inet_proto . inet_service : ipv4_addr . inet_service; }",
                "add chain " + t + " prerouting { type nat hook prerouting priority dstnat; policy accept; }",
                "add chain " + t + " output { type nat hook output priority -100; policy accept; }",
                "add chain " + t + " postrouting { type nat hook postrouting priority srcnat; policy accept; }",
                "flush chain " + t + " prerouting",
                "flush chain " + t + " output",
                "flush chain " + t + " postrouting",
                // A port the map does not hold ends the lookup: the packet goes on untouched.
                "add rule " + t + " prerouting fib daddr type local dnat ip to meta l4proto . th dport map @ports",
                "add rule " + t + " output fib daddr type local dnat ip to meta l4proto . th dport map @ports",
                "add rule " + t + " postrouting oifname \"" + bridge + "\" ip saddr 127.0.0.0/8 masquerade",
                "add rule " + t + " postrouting oifname \"" + bridge + "\" ip saddr " + subnet
                        + " ct status dnat masquerade",
                "add rule " + t + " postrouting oifname != \"" + bridge + "\" ip saddr " + subnet + " masquerade",
                "");
        HostCommand.withInput(script, nft, "-f", "-").runOrFail();
    }

    /** Forwards the task's host ports to it. */
    void forward(TaskNetwork network) throws IOException {
        if (network.forwards().isEmpty()) {
            return;
        }
        HostCommand.withInput("add element ip " + table + " ports " + elements(network) + "\n", nft, "-f", "-")
                .runOrFail();
    }

    /** Stops forwarding the task's host ports; one at a time, so one already gone does not keep the others. */
    void unforward(TaskNetwork network) {
        for (TaskNetwork.PortForward forward : network.forwards()) {
            for (String protocol : protocols(forward.protocol())) {
                HostCommand.withInput("delete element ip " + table + " ports { " + protocol + " . " + forward.hostPort()
                        + " }\n", nft, "-f", "-").runQuietly();
            }
        }
    }

    /** The map holds exactly these tasks' ports, in one transaction: what else it held belonged to no task. */
    void keepOnly(Collection<TaskNetwork> networks) throws IOException {
        StringBuilder script = new StringBuilder("flush map ip " + table + " ports\n");
        for (TaskNetwork network : networks) {
            if (!network.forwards().isEmpty()) {
                script.append("add element ip ").append(table).append(" ports ").append(elements(network)).append('\n');
            }
        }
        HostCommand.withInput(script.toString(), nft, "-f", "-").runOrFail();
    }

    /** What the map holds now, as nft prints it (for tests and the operator). */
    String listPorts() throws IOException {
        return HostCommand.of(nft, "list", "map", "ip", table, "ports").runOrFail();
    }

    /** Removes the whole table. */
    void remove() {
        HostCommand.of(nft, "delete", "table", "ip", table).runQuietly();
    }

    private static String elements(TaskNetwork network) {
        StringJoiner elements = new StringJoiner(", ", "{ ", " }");
        for (TaskNetwork.PortForward forward : network.forwards()) {
            for (String protocol : protocols(forward.protocol())) {
                elements.add(protocol + " . " + forward.hostPort() + " : " + network.address() + " . "
                        + forward.containerPort());
            }
        }
        return elements.toString();
    }

    /** Marathon's {@code udp,tcp} is both. */
    private static List<String> protocols(String protocol) {
        return protocol.equals("udp,tcp") || protocol.equals("tcp,udp") ? List.of("tcp", "udp") : List.of(protocol);
    }
}
