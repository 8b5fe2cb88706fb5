package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bridged apps' host ports: assigned and held exactly as host-network ports are (from the node's range,
 * never two tasks on one host port), each carrying the container port it is forwarded to.
 */
class BridgedPortsTest {
    private final Instant t0 = Instant.parse("2026-12-06T12:00:00Z");
    private final SchedulerCore core = new SchedulerCore(SchedulerSettings.defaults(),
            new PlacementEngine(PlacementStrategy.BINPACK));

    @Test
    void aBridgedTaskGetsHostPortsFromTheRangeEachMappedToItsContainerPort() {
        // Given one node
        core.onNodeReport(node("node-1", 31000, 31009), t0);

        // When a bridged app maps container port 8080, and asks a second port the same inside as outside
        List<LaunchTask> launches = launches(core.onAppCommand(CreateApp.of(bridged("/web", 1,
                "{\"containerPort\": 8080, \"hostPort\": 0, \"name\": \"http\"}, {\"containerPort\": 0}")), t0));

        // Then its launch and its record carry both host ports with the container ports they lead to
        List<PortAssignment> expected = List.of(new PortAssignment("http", 31000, 8080),
                new PortAssignment(null, 31001, 31001));
        assertEquals(expected, launches.get(0).spec().ports());
        TaskRecord task = core.tasksOf("/web").iterator().next();
        assertEquals(expected, task.ports());
    }

    @Test
    void twoBridgedTasksWithOneContainerPortGetDifferentHostPorts() {
        // Given one node
        core.onNodeReport(node("node-1", 31000, 31009), t0);

        // When two instances both listen on 8080 inside
        List<LaunchTask> launches = launches(core.onAppCommand(CreateApp.of(bridged("/web", 2,
                "{\"containerPort\": 8080}")), t0));

        // Then both run on the node, on two host ports, each forwarded to 8080
        assertEquals(2, launches.size());
        Set<Integer> hostPorts = new HashSet<>();
        for (LaunchTask launch : launches) {
            PortAssignment port = launch.spec().ports().get(0);
            assertEquals(8080, port.containerPort());
            hostPorts.add(port.port());
        }
        assertEquals(Set.of(31000, 31001), hostPorts);
    }

    @Test
    void aBridgedTaskAndAHostTaskNeverShareAHostPort() {
        // Given a node with two ports, one held by a task on the host network
        core.onNodeReport(node("node-1", 31000, 31001), t0);
        AppDefinition host = parse("""
                {"id": "/host", "cmd": "sleep 100", "cpus": 0.1, "mem": 16,
                 "requirePorts": true, "portDefinitions": [{"port": 31000}]}""");
        assertEquals(1, launches(core.onAppCommand(CreateApp.of(host), t0)).size());

        // When a bridged app asks for that host port, and another for any two
        List<LaunchTask> fixed = launches(core.onAppCommand(CreateApp.of(bridged("/fixed", 1,
                "{\"containerPort\": 80, \"hostPort\": 31000}")), t0));
        List<LaunchTask> two = launches(core.onAppCommand(CreateApp.of(bridged("/two", 1,
                "{\"containerPort\": 80}, {\"containerPort\": 81}")), t0));

        // Then neither is placed, and the queue says why
        assertTrue(fixed.isEmpty());
        assertTrue(two.isEmpty());
        assertEquals(Map.of("host port 31000 unavailable", 1), core.unplacedReasons("/fixed"));
        assertEquals(Map.of("insufficient ports", 1), core.unplacedReasons("/two"));

        // And the one free port goes to a bridged task that needs one
        List<LaunchTask> one = launches(core.onAppCommand(CreateApp.of(bridged("/one", 1, "{\"containerPort\": 80}")), t0));
        assertEquals(List.of(new PortAssignment(null, 31001, 80)), one.get(0).spec().ports());
    }

    @Test
    void aBridgedTaskGoesOnlyToANodeThatBridgesTasksAndTheQueueSaysWhyNotElsewhere() {
        // Given a node that cannot bridge (it says so) and one whose agent predates bridging (it says nothing)
        core.onNodeReport(node("cannot", 31000, 31009, Map.of("bridge", "false")), t0);
        core.onNodeReport(node("older", 31000, 31009, Map.of()), t0);

        // When a bridged app and a host-network app are created
        List<LaunchTask> bridged = launches(core.onAppCommand(CreateApp.of(bridged("/web", 1, "{\"containerPort\": 80}")),
                t0));
        List<LaunchTask> host = launches(core.onAppCommand(CreateApp.of(parse("""
                {"id": "/host", "cmd": "sleep 100", "cpus": 0.1, "mem": 16}""")), t0));

        // Then the bridged one waits, saying why on both nodes; the other runs
        assertTrue(bridged.isEmpty());
        assertEquals(Map.of("no bridge network", 2), core.unplacedReasons("/web"));
        assertEquals(1, host.size());

        // And once a node that bridges joins, the bridged one runs there
        List<LaunchTask> later = launches(core.onNodeReport(node("bridging", 31000, 31009), t0.plusSeconds(1)));
        assertEquals(List.of("bridging"), later.stream().map(LaunchTask::nodeId).toList());
    }

    private static AppDefinition bridged(String id, int instances, String mappings) {
        return parse("""
                {"id": "%s", "cmd": "sleep 100", "instances": %d, "cpus": 0.1, "mem": 16,
                 "networks": [{"mode": "container/bridge"}], "container": {"portMappings": [%s]}}"""
                .formatted(id, instances, mappings));
    }

    private static AppDefinition parse(String json) {
        ParsedApp parsed = AppDefinitionParser.parse(json);
        assertTrue(parsed instanceof ParsedApp.Valid, parsed::toString);
        return ((ParsedApp.Valid) parsed).app();
    }

    /** A node whose agent bridges tasks. */
    private static NodeHeartbeat node(String id, int firstPort, int lastPort) {
        return node(id, firstPort, lastPort, Map.of("bridge", "true"));
    }

    private static NodeHeartbeat node(String id, int firstPort, int lastPort, Map<String, String> attributes) {
        return new NodeHeartbeat("hb-" + id, 1, Instant.parse("2026-12-06T12:00:00Z"), null, id, id, "127.0.0.1",
                new NodeResources(8, 4096, 10000), new PortRange(firstPort, lastPort), attributes, "cgroups-v1",
                "http://127.0.0.1:1", List.of());
    }

    private static List<LaunchTask> launches(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.SendToNode)
                .map(a -> ((Action.SendToNode) a).command())
                .filter(LaunchTask.class::isInstance).map(LaunchTask.class::cast).toList();
    }
}
