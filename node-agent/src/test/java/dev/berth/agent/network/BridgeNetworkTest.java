package dev.berth.agent.network;

import dev.berth.agent.host.HostCommand;
import dev.berth.agent.runtime.HostIsolation;
import dev.berth.agent.runtime.ProcessRuntime;
import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.testkit.Directories;
import dev.berth.testkit.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bridged tasks over the host's real namespaces, veth pairs, bridge and nftables. Each run uses a bridge
 * and a subnet of its own (named after the test JVM's pid), and removes them at the end, so runs side by
 * side never meet; nothing here sends a packet anywhere but to this machine and namespaces the test made.
 * Skipped, saying why, where the host lacks root, iproute2 or nftables.
 */
class BridgeNetworkTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final String BRIDGE = "btn" + PID % 1_000_000;
    private static final int OCTET = 128 + (int) (PID % 100);
    private static final String SUBNET = "10.213." + OCTET + ".0/24";
    private static final String GATEWAY = "10.213." + OCTET + ".1";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static HostIsolation host;
    private static Path networkDir;
    private static TaskNetworks networks;

    private final Path workDir = Directories.scratch("bridge-");
    private final Sandboxes sandboxes = Sandboxes.under(workDir);
    private final List<TaskRuntime.RunningProcess> started = new CopyOnWriteArrayList<>();
    private final List<Process> helpers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ProcessRuntime runtime;

    @BeforeAll
    static void makeTheBridge() {
        host = HostIsolation.detect("auto", Path.of("/sys/fs/cgroup"), "berth-net-test/" + PID);
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "SKIPPED: bridging needs root");
        Assumptions.assumeTrue(TaskNetworks.tool("ip").isPresent(), "SKIPPED: no ip (iproute2) on this host");
        Assumptions.assumeTrue(TaskNetworks.tool("nft").isPresent(), "SKIPPED: no nft (nftables) on this host");
        Assumptions.assumeTrue(host.unshare().isPresent(), "SKIPPED: this host does not let the agent create "
                + "namespaces");
        networkDir = Directories.scratch("bridge-records-");
        networks = TaskNetworks.open(BRIDGE, SUBNET, networkDir, true);
        assertTrue(networks.available(), networks::describe);
    }

    @AfterAll
    static void removeTheBridge() throws IOException {
        if (networks != null) {
            networks.removeBridge();
        }
        if (networkDir != null) {
            Directories.deleteQuietly(networkDir);
        }
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Files.deleteIfExists(hierarchy.resolve("berth-net-test/" + PID));
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("BridgeNetworkTest: left empty test cgroups behind: " + e);
        }
    }

    @BeforeEach
    void runtime() {
        runtime = new ProcessRuntime("127.0.0.1", System.getenv(), host, 1024, TaskVolumes.none(), networks);
    }

    @AfterEach
    void stopWhatRuns() {
        started.forEach(p -> p.stop(Duration.ZERO));
        helpers.forEach(Process::destroyForcibly);
        Directories.deleteQuietly(workDir);
    }

    @Test
    void aBridgedServerAnswersOnItsHostPortFromTheNodeWithMarathonsPortVariables() throws Exception {
        // Given a task listening on container port 8080 inside its own namespace, mapped from a host port
        int hostPort = FreePorts.next();
        Sandbox sandbox = sandboxes.of("web.bridged-1");
        start(sandbox, bridged("echo \"$PORT0 $PORT_8080 $PORT_HTTP $PORTS\" > ports; "
                + "exec python3 -m http.server 8080", new PortAssignment("http", hostPort, 8080)));

        // Then the node reaches it on the host port, at 127.0.0.1 and at the bridge's address
        awaitAnswer("http://127.0.0.1:" + hostPort + "/ports");
        String h = Integer.toString(hostPort);
        assertEquals(h + " " + h + " " + h + " " + h, get("http://127.0.0.1:" + hostPort + "/ports").trim());
        assertEquals(200, status("http://" + GATEWAY + ":" + hostPort + "/"));
        // And at its own address on the bridge, on the container port
        TaskNetwork network = networks.of(sandbox.name()).orElseThrow();
        assertEquals(200, status("http://" + network.address() + ":8080/"));
    }

    @Test
    void twoTasksOnOneContainerPortAnswerEachOnItsOwnHostPort() throws Exception {
        int first = FreePorts.next();
        int second = FreePorts.next();
        start(sandboxes.of("web.one-1"), bridged("echo one > who; exec python3 -m http.server 8080",
                new PortAssignment(null, first, 8080)));
        start(sandboxes.of("web.two-1"), bridged("echo two > who; exec python3 -m http.server 8080",
                new PortAssignment(null, second, 8080)));

        awaitAnswer("http://127.0.0.1:" + first + "/who");
        awaitAnswer("http://127.0.0.1:" + second + "/who");
        assertEquals("one", get("http://127.0.0.1:" + first + "/who").trim());
        assertEquals("two", get("http://127.0.0.1:" + second + "/who").trim());
        assertNotEquals(networks.of("web.one-1").orElseThrow().address(),
                networks.of("web.two-1").orElseThrow().address());

        // And a bridged task reaches them too, by the node's address and their host ports
        Sandbox client = sandboxes.of("client.hairpin-1");
        TaskRuntime.RunningProcess fetching = start(client, bridged(fetch("http://" + GATEWAY + ":" + first + "/who",
                "http://" + GATEWAY + ":" + second + "/who")));
        assertEquals(0, fetching.exit().get(30, TimeUnit.SECONDS), () -> read(client.stderr()));
        assertEquals(List.of("one", "", "two", ""), Files.readAllLines(client.stdout()));
    }

    @Test
    void aBridgedTaskReachesTheNodeAndThroughNatAHostOffTheBridge() throws Exception {
        // Given a server on the node, on the bridge's own address
        int nodePort = FreePorts.next();
        Path served = serveOnTheNode(nodePort);
        // And a host off the bridge: a namespace of the test's own behind a veth, with no route back to the
        // bridge's subnet, so only a masqueraded connection can get an answer from it
        try (OutsideHost outside = OutsideHost.make("bto" + PID % 1_000_000, 10 + OCTET % 100)) {
            Files.writeString(served.resolve("far"), "outside");
            helpers.add(outside.serve(served, 8000));
            awaitAnswer("http://" + outside.address() + ":8000/far");

            // When a bridged task fetches from both
            Sandbox sandbox = sandboxes.of("client.bridged-1");
            TaskRuntime.RunningProcess task = start(sandbox, bridged(fetch("http://" + GATEWAY + ":" + nodePort
                    + "/hello", "http://" + outside.address() + ":8000/far")));

            // Then both answered, and the outside host saw the node's address, never the task's
            assertEquals(0, task.exit().get(30, TimeUnit.SECONDS), () -> read(sandbox.stderr()));
            assertEquals(List.of("node", "outside"), Files.readAllLines(sandbox.stdout()));
            String log = Files.readString(served.resolve("outside.log"));
            assertTrue(log.contains(outside.nodeSide() + " - - "), log);
            assertFalse(log.contains("10.213." + OCTET + "."), log);
        }
    }

    @Test
    void aTaskWithoutANetworkReachesOnlyItsOwnLoopback() throws Exception {
        // Given a server on the node
        int nodePort = FreePorts.next();
        Path served = serveOnTheNode(nodePort);

        // When a task with network NONE (Marathon's unnamed container network) tries the node, then its loopback
        Sandbox sandbox = sandboxes.of("client.none-1");
        String script = String.join("\n",
                "import socket",
                "def reach(host, port):",
                "    try:",
                "        socket.create_connection((host, port), timeout=2).close()",
                "        return 'reached'",
                "    except OSError as e:",
                "        return 'unreachable'",
                "lo = socket.socket(); lo.bind(('127.0.0.1', 0)); lo.listen()",
                "print(reach('" + GATEWAY + "', " + nodePort + "), reach('127.0.0.1', " + nodePort + "),"
                        + " reach('127.0.0.1', lo.getsockname()[1]))");
        Files.writeString(workDir.resolve("reach.py"), script);
        TaskRuntime.RunningProcess task = start(sandbox, spec("exec python3 " + workDir.resolve("reach.py"), List.of(),
                Isolation.Network.NONE));

        // Then nothing of the node, only its own loopback
        assertEquals(0, task.exit().get(30, TimeUnit.SECONDS), () -> read(sandbox.stderr()));
        assertEquals("unreachable unreachable reached", read(sandbox.stdout()).trim());
    }

    @Test
    void nothingOfABridgedTaskIsLeftAfterItsOwnEndOrAKill() throws Exception {
        // Given the supervisor, as the agent runs it, and two bridged tasks
        List<TaskStatus> reports = new CopyOnWriteArrayList<>();
        TaskSupervisor supervisor = new TaskSupervisor("node-net", sandboxes, runtime, reports::add);
        int ending = FreePorts.next();
        int killed = FreePorts.next();
        // The first ends when the test says so: on a busy machine a fixed second may pass before its
        // network is looked at.
        Path endNow = workDir.resolve("end-now");
        supervisor.handle(LaunchTask.of("node-net", "web.ends-1", "/web", 1,
                bridged("while [ ! -e " + endNow + " ]; do sleep 0.1; done; exit 3", new PortAssignment(null, ending, 80)),
                null));
        supervisor.handle(LaunchTask.of("node-net", "web.killed-1", "/web", 1,
                bridged("exec python3 -m http.server 8080", new PortAssignment(null, killed, 8080)), null));
        awaitAnswer("http://127.0.0.1:" + killed + "/");
        TaskNetwork endingNet = networks.of("web.ends-1").orElseThrow();
        TaskNetwork killedNet = networks.of("web.killed-1").orElseThrow();
        assertPresent(endingNet, ending);

        // When one ends by itself and the other is killed
        Files.createFile(endNow);
        await().atMost(DEADLINE).until(() -> supervisor.find("web.ends-1").map(t -> t.state() == TaskState.FAILED)
                .orElse(false));
        supervisor.handle(dev.berth.contracts.messages.KillTask.of("node-net", "web.killed-1", 1, "test", null));
        await().atMost(DEADLINE).until(() -> supervisor.find("web.killed-1").map(t -> t.state() == TaskState.KILLED)
                .orElse(false));

        // Then neither has a namespace, veth, port forward or address left
        assertGone(endingNet, ending);
        assertGone(killedNet, killed);
        supervisor.close();
    }

    @Test
    void aRestartedAgentAdoptsABridgedTaskWhosePortAnswersOnUntilItIsKilled() throws Exception {
        // Given a bridged task started by one agent process
        int hostPort = FreePorts.next();
        Sandbox sandbox = sandboxes.of("web.adopted-1");
        TaskSpec spec = bridged("exec python3 -m http.server 8080", new PortAssignment(null, hostPort, 8080));
        TaskRuntime.RunningProcess first = runtime.start(sandbox.taskId(), "/web", spec, sandbox);
        awaitAnswer("http://127.0.0.1:" + hostPort + "/");
        TaskNetwork network = networks.of(sandbox.name()).orElseThrow();

        // When the next agent process sets up the bridge again, sweeps, and adopts the task
        TaskNetworks again = TaskNetworks.open(BRIDGE, SUBNET, networkDir, true);
        ProcessRuntime next = new ProcessRuntime("127.0.0.1", System.getenv(), host, 1024, TaskVolumes.none(), again);
        assertEquals(List.of(), next.reapOrphans(Set.of(sandbox.name())));
        TaskRuntime.RunningProcess adopted = next.adopt(spec, sandbox, first.stamp());
        started.add(adopted);

        // Then its host port still answers, its address is not given to another task, and a kill removes it all
        assertEquals(200, status("http://127.0.0.1:" + hostPort + "/"));
        assertEquals(Optional.of(network), again.of(sandbox.name()));
        int otherPort = FreePorts.next();
        Sandbox other = sandboxes.of("web.other-1");
        started.add(next.start(other.taskId(), "/web", bridged("sleep 600", new PortAssignment(null, otherPort, 80)),
                other));
        assertNotEquals(network.address(), again.of(other.name()).orElseThrow().address());
        assertTrue(adopted.stop(Duration.ofSeconds(2)));
        assertGone(again, network, hostPort);
    }

    @Test
    void aNetworkNoCheckpointAccountsForIsRemovedAtTheNextStart() throws Exception {
        // Given a bridged task whose agent died before writing it down
        int hostPort = FreePorts.next();
        Sandbox sandbox = sandboxes.of("web.orphan-1");
        start(sandbox, bridged("exec python3 -m http.server 8080", new PortAssignment(null, hostPort, 8080)));
        awaitAnswer("http://127.0.0.1:" + hostPort + "/");
        TaskNetwork network = networks.of(sandbox.name()).orElseThrow();

        // When the next agent process starts knowing no task
        TaskNetworks again = TaskNetworks.open(BRIDGE, SUBNET, networkDir, true);
        ProcessRuntime next = new ProcessRuntime("127.0.0.1", System.getenv(), host, 1024, TaskVolumes.none(), again);
        next.reapOrphans(Set.of());

        // Then the task is killed and all of its network is gone
        assertGone(again, network, hostPort);
        assertEquals(Optional.empty(), TaskNetworks.open(BRIDGE, SUBNET, networkDir, true).of(sandbox.name()));
    }

    @Test
    void addressesInUseAreNeverGivenTwiceNotEvenByARestartedAgentAndAFullSubnetRefusesSayingSo() throws Exception {
        // Given a second bridge of this run's with room for five tasks (a /29), four of them attached
        String small = "btm" + PID % 1_000_000;
        Path records = Directories.scratch("bridge-small-");
        TaskNetworks first = TaskNetworks.open(small, "10.213." + (110 + PID % 15) + ".0/29", records, true);
        try {
            assertTrue(first.available(), first::describe);
            for (int i = 0; i < 4; i++) {
                first.attach("web.small-" + i, List.of());
            }

            // When the agent restarts and two more tasks come
            TaskNetworks again = TaskNetworks.open(small, "10.213." + (110 + PID % 15) + ".0/29", records, true);
            again.attach("web.small-4", List.of());
            NetworkRefusedException full = assertThrows(NetworkRefusedException.class,
                    () -> again.attach("web.small-5", List.of()));

            // Then the fifth got the one address left, and the sixth is refused with the reason
            Set<String> addresses = new java.util.HashSet<>();
            for (int i = 0; i < 5; i++) {
                addresses.add(again.of("web.small-" + i).orElseThrow().address());
            }
            assertEquals(5, addresses.size(), addresses.toString());
            assertTrue(full.getMessage().startsWith(TaskStatus.NETWORK_FAILED + ": no free address left in"),
                    full.getMessage());
            assertEquals(Optional.empty(), again.of("web.small-5"), "nothing of it is kept");

            // And a released address is given out again
            String freed = again.of("web.small-2").orElseThrow().address();
            again.release("web.small-2");
            again.attach("web.small-5", List.of());
            assertEquals(freed, again.of("web.small-5").orElseThrow().address());
            again.sweep(Set.of());
        } finally {
            first.removeBridge();
            Directories.deleteQuietly(records);
        }
    }

    @Test
    void aNodeThatCannotBridgeRefusesABridgedTaskAndSaysHowToKeepSuchAppsOff() {
        ProcessRuntime plain = new ProcessRuntime("127.0.0.1", System.getenv(), host, 1024, TaskVolumes.none(),
                TaskNetworks.unavailable("no nft (install nftables)"));
        Sandbox sandbox = sandboxes.of("web.refused-1");

        TaskRuntime.LaunchFailedException refused = assertThrows(TaskRuntime.LaunchFailedException.class,
                () -> plain.start(sandbox.taskId(), "/web", bridged("sleep 1", new PortAssignment(null, 1, 80)),
                        sandbox));

        assertTrue(refused.getMessage().contains("cannot bridge tasks: no nft (install nftables)"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("[\"bridge\", \"IS\", \"true\"]"), refused.getMessage());
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private TaskRuntime.RunningProcess start(Sandbox sandbox, TaskSpec spec) throws Exception {
        TaskRuntime.RunningProcess process = runtime.start(sandbox.taskId(), "/app", spec, sandbox);
        started.add(process);
        return process;
    }

    private static TaskSpec bridged(String cmd, PortAssignment... ports) {
        return spec(cmd, List.of(ports), Isolation.Network.BRIDGE);
    }

    private static TaskSpec spec(String cmd, List<PortAssignment> ports, Isolation.Network network) {
        return new TaskSpec(cmd, null, Map.of(), Map.of(), 0.2, 64, 0, ports, null, List.of(),
                new Isolation(network, null, false));
    }

    /** A python one-liner printing each URL's body, one per line. */
    private static String fetch(String... urls) {
        StringBuilder code = new StringBuilder("import urllib.request\n");
        for (String url : urls) {
            code.append("print(urllib.request.urlopen('").append(url).append("', timeout=5).read().decode())\n");
        }
        return "exec python3 -c \"" + code + "\"";
    }

    private void awaitAnswer(String url) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> status(url) == 200);
    }

    private int status(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static void assertPresent(TaskNetwork network, int hostPort) throws IOException {
        assertTrue(Files.exists(Path.of(network.netnsPath())), "namespace " + network.netns());
        assertTrue(linkExists(network.hostVeth()), "veth " + network.hostVeth());
        assertTrue(networks.portForwards().contains("tcp . " + hostPort + " : " + network.address()),
                networks.portForwards());
    }

    private static void assertGone(TaskNetwork network, int hostPort) throws IOException {
        assertGone(networks, network, hostPort);
    }

    /** @param current the agent process's view (a restarted agent has its own) */
    private static void assertGone(TaskNetworks current, TaskNetwork network, int hostPort) throws IOException {
        assertFalse(Files.exists(Path.of(network.netnsPath())), "namespace " + network.netns() + " is gone");
        assertFalse(linkExists(network.hostVeth()), "veth " + network.hostVeth() + " is gone");
        String forwards = networks.portForwards();
        assertFalse(forwards.contains(" " + hostPort + " :"), "no forward of " + hostPort + " left: " + forwards);
        assertFalse(forwards.contains(network.address() + " "), "none to " + network.address() + ": " + forwards);
        assertEquals(Optional.empty(), current.of(network.task()), "its address is free again");
        assertFalse(Files.exists(networkDir.resolve(network.task() + ".json")), "its record is gone");
    }

    private static boolean linkExists(String name) {
        return HostCommand.of("ip", "link", "show", "dev", name).runQuietly();
    }

    /**
     * A host of the test's own off the bridge: a network namespace behind a veth pair with a /30 of the
     * test's range, and no route to the bridge's subnet.
     */
    private record OutsideHost(String name, int octet) implements AutoCloseable {
        static OutsideHost make(String name, int octet) throws IOException {
            OutsideHost outside = new OutsideHost(name, octet);
            outside.close(); // what an earlier, killed run may have left
            HostCommand.of("ip", "netns", "add", name).runOrFail();
            HostCommand.of("ip", "link", "add", "name", name, "type", "veth", "peer", "name", name + "p").runOrFail();
            HostCommand.of("ip", "link", "set", "dev", name + "p", "netns", name).runOrFail();
            HostCommand.of("ip", "addr", "add", outside.nodeSide() + "/30", "dev", name).runOrFail();
            HostCommand.of("ip", "link", "set", "dev", name, "up").runOrFail();
            HostCommand.of("ip", "-n", name, "addr", "add", outside.address() + "/30", "dev", name + "p").runOrFail();
            HostCommand.of("ip", "-n", name, "link", "set", "dev", name + "p", "up").runOrFail();
            HostCommand.of("ip", "-n", name, "link", "set", "dev", "lo", "up").runOrFail();
            return outside;
        }

        String nodeSide() {
            return "10.213." + octet + ".1";
        }

        String address() {
            return "10.213." + octet + ".2";
        }

        /** python's http.server in the namespace, its log (with each client's address) in {@code outside.log}. */
        Process serve(Path dir, int port) throws IOException {
            return new ProcessBuilder("ip", "netns", "exec", name, "python3", "-m", "http.server",
                    Integer.toString(port), "--bind", address()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("outside.log").toFile()).start();
        }

        @Override
        public void close() {
            HostCommand.of("ip", "link", "del", "dev", name).runQuietly();
            HostCommand.of("ip", "netns", "del", name).runQuietly();
        }
    }

    /** A server on the node, on the bridge's own address, serving {@code hello} ("node") from a fresh directory. */
    private Path serveOnTheNode(int port) throws Exception {
        Path served = Directories.scratch("served-");
        Files.writeString(served.resolve("hello"), "node");
        helpers.add(new ProcessBuilder("python3", "-m", "http.server", Integer.toString(port), "--bind", GATEWAY)
                .directory(served.toFile()).redirectErrorStream(true).redirectOutput(served.resolve("log").toFile())
                .start());
        awaitAnswer("http://" + GATEWAY + ":" + port + "/hello");
        return served;
    }
}
