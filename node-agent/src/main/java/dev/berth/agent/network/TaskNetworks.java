package dev.berth.agent.network;

import dev.berth.agent.host.HostCommand;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskStatus;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything of the node's bridge networking, for tasks with {@code networks: [{"mode": "container/bridge"}]}
 * (isolation.network BRIDGE): the bridge and its NAT, set up once at agent start ({@link #open}), and
 * per task a named network namespace joined to the bridge by a veth pair, an address from the node's
 * subnet, a default route via the bridge, and its host ports forwarded to its container ports
 * ({@link #attach}); all of which goes again when the task ends ({@link #release}), and what no
 * checkpoint accounts for is swept at the next start ({@link #sweep}).
 *
 * <p>A task's namespace is a <em>named</em> one ({@code ip netns add}, a bind mount under
 * {@code /run/netns}) that the task's processes join, not one they create: it exists before the task and
 * independently of it, so it can be wired up before the task starts, and it outlives an agent restart,
 * when the next agent adopts the task and finds its network by the name it wrote down.
 *
 * <p>A node where this cannot work (not root, no {@code ip} or {@code nft}, no namespaces) still starts:
 * it refuses bridged tasks with the reason, and reports it in its {@value #ATTRIBUTE} attribute.
 */
public final class TaskNetworks {
    private static final Logger LOG = Logger.getLogger(TaskNetworks.class);
    /** The node attribute saying whether the node bridges tasks ({@code true}/{@code false}), for constraints. */
    public static final String ATTRIBUTE = dev.berth.contracts.app.Isolation.BRIDGE_ATTRIBUTE;
    /** The bridge name that turns bridging off. */
    public static final String OFF = "none";
    private static final Pattern BRIDGE_NAME = Pattern.compile("^[a-z][a-z0-9-]{0,14}$");
    private static final List<String> BIN = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");
    /**
     * Which agent a bridge belongs to: {@code <dir>/<bridge>} holds its records' directory. Two agents on one
     * bridge would give out the same addresses and sweep each other's tasks' networks as leftovers, so the
     * second is refused the bridge rather than allowed to touch it. Under /run: gone with the bridge at reboot.
     */
    private static final Path OWNERS = Path.of("/run/berth/bridges");

    private final String bridgeName;
    private final BridgeSubnet subnet;
    private final String unavailable;
    private final String ip;
    private final String nsenter;
    private final Bridge bridge;
    private final NatRules nat;
    private final AddressBook addresses;

    private TaskNetworks(String bridgeName, BridgeSubnet subnet, String unavailable, String ip, String nsenter,
                         NatRules nat, AddressBook addresses) {
        this.bridgeName = bridgeName;
        this.subnet = subnet;
        this.unavailable = unavailable;
        this.ip = ip;
        this.nsenter = nsenter;
        this.bridge = ip == null ? null : new Bridge(ip, bridgeName, subnet);
        this.nat = nat;
        this.addresses = addresses;
    }

    /** A node that does not bridge tasks, and says why when one asks for it. */
    public static TaskNetworks unavailable(String why) {
        return new TaskNetworks(OFF, null, why, null, null, null, null);
    }

    /**
     * Sets up bridging, or finds out why it cannot be: as root, with {@code ip} (iproute2), {@code nft}
     * (nftables) and {@code nsenter}, and namespaces for the task's other isolation, it makes (or reuses)
     * the bridge, turns on forwarding and installs the NAT.
     *
     * @param bridgeName  the bridge's name ({@value #OFF}: no bridging)
     * @param subnet      the bridge's addresses, e.g. {@code 10.213.0.0/22}
     * @param recordDir   where each task's network is written down ({@code <work-dir>/network})
     * @param namespaces  the node gives tasks their own PID, mount and UTS namespaces (a bridged task has them)
     */
    public static TaskNetworks open(String bridgeName, String subnet, Path recordDir, boolean namespaces) {
        if (bridgeName == null || bridgeName.isBlank() || bridgeName.equals(OFF)) {
            return unavailable("bridging is turned off on this node (berth.agent.bridge-name=none)");
        }
        if (!BRIDGE_NAME.matcher(bridgeName).matches()) {
            throw new IllegalArgumentException("berth.agent.bridge-name must be a lowercase interface name of at most"
                    + " 15 characters (a letter, then letters, digits, '-'), was " + bridgeName);
        }
        BridgeSubnet parsed = BridgeSubnet.parse(subnet);
        Optional<Path> ip = tool("ip");
        Optional<Path> nft = tool("nft");
        Optional<Path> nsenter = tool("nsenter");
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("the agent is not root");
        }
        if (!namespaces) {
            missing.add("no namespaces for tasks");
        }
        if (ip.isEmpty()) {
            missing.add("no ip (install iproute2)");
        }
        if (nft.isEmpty()) {
            missing.add("no nft (install nftables)");
        }
        if (nsenter.isEmpty()) {
            missing.add("no nsenter (util-linux)");
        }
        if (!missing.isEmpty()) {
            return unavailable(String.join(", ", missing));
        }
        NatRules nat = new NatRules(nft.get().toString(), bridgeName, parsed);
        try {
            Optional<String> owner = claimOwnership(bridgeName, recordDir);
            if (owner.isPresent()) {
                return unavailable("bridge " + bridgeName + " belongs to another agent (its records are in "
                        + owner.get() + "); give each agent on a machine its own berth.agent.bridge-name and "
                        + "berth.agent.bridge-subnet");
            }
            new Bridge(ip.get().toString(), bridgeName, parsed).ensure();
            nat.install();
            AddressBook book = new AddressBook(recordDir, parsed);
            return new TaskNetworks(bridgeName, parsed, null, ip.get().toString(), nsenter.get().toString(), nat, book);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("bridge %s could not be set up: %s", bridgeName, e.getMessage());
            return unavailable("the bridge could not be set up: " + e.getMessage());
        }
    }

    /**
     * Makes this agent the bridge's owner, unless another one (whose records still exist) is.
     *
     * @return the other owner's records directory, if the bridge is another agent's
     */
    private static Optional<String> claimOwnership(String bridgeName, Path recordDir) throws IOException {
        String me = recordDir.toAbsolutePath().normalize().toString();
        Path file = OWNERS.resolve(bridgeName);
        if (Files.exists(file)) {
            String other = Files.readString(file).trim();
            if (!other.equals(me) && Files.isDirectory(Path.of(other))) {
                return Optional.of(other);
            }
        }
        Files.createDirectories(OWNERS);
        Files.writeString(file, me);
        return Optional.empty();
    }

    /** True when bridged tasks can run here. */
    public boolean available() {
        return unavailable == null;
    }

    /** One line for the agent's start log. */
    public String describe() {
        return available()
                ? "bridges tasks on " + bridgeName + " (" + subnet + ", gateway " + subnet.gateway()
                + ", NAT in nftables table ip " + nat.table() + ")"
                : "does not bridge tasks: " + unavailable;
    }

    public String bridgeName() {
        return bridgeName;
    }

    /** The bridge's subnet; null where the node does not bridge. */
    public BridgeSubnet subnet() {
        return subnet;
    }

    /**
     * Makes the task's network and returns the command prefix that starts what follows inside it
     * ({@code nsenter --net=/run/netns/<name> --}). The task's ports are forwarded from their host ports
     * to their container ports (a port without a container port keeps its number).
     *
     * @param task the task's sandbox name
     * @throws NetworkRefusedException when this node cannot bridge, or a step failed (all of it is undone)
     */
    public List<String> attach(String task, List<PortAssignment> ports) throws NetworkRefusedException {
        if (!available()) {
            throw new NetworkRefusedException("the app asks for a bridge network (networks mode container/bridge), "
                    + "but this node cannot bridge tasks: " + unavailable + "; keep such apps off it with "
                    + "[\"" + ATTRIBUTE + "\", \"IS\", \"true\"]", null);
        }
        // Both protocols: the task's port assignment does not say which its app declared, and the host port is
        // the task's alone on this node either way (the scheduler holds it for the task, whatever the protocol).
        List<TaskNetwork.PortForward> forwards = ports.stream().map(p -> new TaskNetwork.PortForward("udp,tcp",
                p.port(), p.containerPort() == null ? p.port() : p.containerPort())).toList();
        TaskNetwork network;
        try {
            release(task); // a start cut short earlier may have left some of it
            network = addresses.claim(task, address -> new TaskNetwork(task, address,
                    TaskNetwork.netnsName(netnsPrefix(), task), TaskNetwork.hostVethName(bridgeName, task), forwards));
        } catch (IOException e) {
            throw new NetworkRefusedException(TaskStatus.NETWORK_FAILED + ": " + e.getMessage(), e);
        }
        try {
            build(network, TaskNetwork.peerVethName(bridgeName, task));
            nat.forward(network);
        } catch (IOException e) {
            release(task);
            throw new NetworkRefusedException(TaskStatus.NETWORK_FAILED + ": cannot make the task's bridge network: "
                    + e.getMessage(), e);
        }
        return List.of(nsenter, "--net=" + network.netnsPath(), "--");
    }

    private void build(TaskNetwork network, String peer) throws IOException {
        String ns = network.netns();
        HostCommand.of(ip, "netns", "add", ns).runOrFail();
        HostCommand.of(ip, "link", "add", "name", network.hostVeth(), "type", "veth", "peer", "name", peer).runOrFail();
        HostCommand.of(ip, "link", "set", "dev", peer, "netns", ns).runOrFail();
        HostCommand.of(ip, "link", "set", "dev", network.hostVeth(), "master", bridgeName).runOrFail();
        // Hairpin: a task reaching its own host port is sent back out of the port it came in by.
        HostCommand.of(ip, "link", "set", "dev", network.hostVeth(), "type", "bridge_slave", "hairpin", "on")
                .runOrFail();
        HostCommand.of(ip, "link", "set", "dev", network.hostVeth(), "up").runOrFail();
        HostCommand.of(ip, "-n", ns, "link", "set", "dev", peer, "name", "eth0").runOrFail();
        HostCommand.of(ip, "-n", ns, "addr", "add", network.address() + "/" + subnet.prefix(), "dev", "eth0")
                .runOrFail();
        HostCommand.of(ip, "-n", ns, "link", "set", "dev", "eth0", "up").runOrFail();
        HostCommand.of(ip, "-n", ns, "link", "set", "dev", "lo", "up").runOrFail();
        HostCommand.of(ip, "-n", ns, "route", "add", "default", "via", subnet.gateway()).runOrFail();
    }

    /** The task's network as written down, if it has one here. */
    public Optional<TaskNetwork> of(String task) {
        return available() ? addresses.of(task) : Optional.empty();
    }

    /**
     * Removes all of the task's network: its port forwards, its veth pair, its namespace, then its address.
     * Nothing of the task may run any more (its namespace would linger until its last process ended). Does
     * nothing for a task without one, so it can be called at every task's end, and again.
     */
    public void release(String task) {
        if (!available()) {
            return;
        }
        Optional<TaskNetwork> found = addresses.of(task);
        if (found.isEmpty()) {
            return;
        }
        TaskNetwork network = found.get();
        nat.unforward(network);
        HostCommand.of(ip, "link", "del", "dev", network.hostVeth()).runQuietly();
        HostCommand.of(ip, "link", "del", "dev", TaskNetwork.peerVethName(bridgeName, task)).runQuietly();
        HostCommand.of(ip, "netns", "del", network.netns()).runQuietly();
        try {
            addresses.forget(task);
        } catch (IOException e) {
            LOG.warnf("task %s: cannot remove the record of its network (its address stays taken): %s", task, e);
        }
    }

    /**
     * At agent start, before tasks are adopted: removes every network no running task's checkpoint
     * accounts for (a task that ended while no agent watched it is released when it is adopted and found
     * ended): their records, namespaces of this bridge, veths on it and port forwards.
     *
     * @param known the sandbox names of the tasks the agent takes over
     * @return what was removed, for the log
     */
    public List<String> sweep(Set<String> known) {
        List<String> removed = new ArrayList<>();
        if (!available()) {
            return removed;
        }
        for (TaskNetwork network : addresses.all()) {
            if (!known.contains(network.task())) {
                release(network.task());
                removed.add("network of " + network.task() + " (" + network.address() + ")");
            }
        }
        Set<String> netnsKept = new HashSet<>();
        Set<String> vethsKept = new HashSet<>();
        List<TaskNetwork> kept = addresses.all();
        kept.forEach(n -> {
            netnsKept.add(n.netns());
            vethsKept.add(n.hostVeth());
        });
        for (String ns : namespaces()) {
            if (ns.startsWith(netnsPrefix()) && !netnsKept.contains(ns)) {
                HostCommand.of(ip, "netns", "del", ns).runQuietly();
                removed.add("network namespace " + ns);
            }
        }
        for (String veth : vethsOnBridge()) {
            if (!vethsKept.contains(veth)) {
                HostCommand.of(ip, "link", "del", "dev", veth).runQuietly();
                removed.add("veth " + veth);
            }
        }
        try {
            nat.keepOnly(kept);
        } catch (IOException e) {
            LOG.warnf("cannot clear port forwards no task accounts for: %s", e.getMessage());
        }
        removed.forEach(what -> LOG.warnf("removed the %s: no checkpoint accounts for it", what));
        return removed;
    }

    /**
     * Removes the bridge and its NAT table: for tests, and an operator retiring a node. The agent itself
     * never does (bridged tasks outlive it).
     */
    public void removeBridge() {
        if (!available()) {
            return;
        }
        nat.remove();
        bridge.remove();
        try {
            Files.deleteIfExists(OWNERS.resolve(bridgeName));
        } catch (IOException e) {
            LOG.warnf("cannot remove the owner mark of bridge %s: %s", bridgeName, e);
        }
    }

    /** What the NAT's port map holds now, as nft prints it (tests and operators). */
    public String portForwards() throws IOException {
        return nat.listPorts();
    }

    /** Namespaces of this node's tasks are {@code berth-<bridge>.<task>}: another bridge's never match. */
    String netnsPrefix() {
        return "berth-" + bridgeName + ".";
    }

    private static List<String> namespaces() {
        List<String> names = new ArrayList<>();
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(e -> names.add(e.getFileName().toString()));
        } catch (IOException e) {
            LOG.warnf("cannot list %s: %s", dir, e);
        }
        return names;
    }

    /** The interfaces enslaved to the bridge: {@code ip -o link show master <bridge>}, one per line. */
    private List<String> vethsOnBridge() {
        List<String> names = new ArrayList<>();
        try {
            String out = HostCommand.of(ip, "-o", "link", "show", "master", bridgeName).runOrFail();
            for (String line : out.split("\n")) {
                // "12: vbabc123@if11: <BROADCAST,…> …"
                String[] parts = line.split(":", 3);
                if (parts.length >= 2) {
                    String name = parts[1].trim();
                    int at = name.indexOf('@');
                    names.add(at >= 0 ? name.substring(0, at) : name);
                }
            }
        } catch (IOException e) {
            LOG.warnf("cannot list the interfaces on %s: %s", bridgeName, e.getMessage());
        }
        return names;
    }

    static Optional<Path> tool(String name) {
        return BIN.stream().map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }
}
