package dev.berth.scheduler.placement;

import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FiltersTest {
    private static TaskRequest task(double cpus, double mem, int... ports) {
        List<PortDefinition> defs = java.util.Arrays.stream(ports)
                .mapToObj(p -> new PortDefinition(p, null, "tcp", Map.of())).toList();
        return new TaskRequest("/a", new NodeResources(cpus, mem, 0), defs);
    }

    private static NodeCandidate node(double cpus, double mem, Set<Integer> usedPorts, int begin, int end) {
        return new NodeCandidate("n", "127.0.0.1", new NodeResources(cpus, mem, 100), new PortRange(begin, end),
                usedPorts, true);
    }

    @Test
    void namesTheFirstResourceThatDoesNotFit() {
        assertEquals("insufficient mem", Filters.RESOURCES.reject(task(1, 512), node(2, 256, Set.of(), 1, 10)));
        assertEquals("insufficient cpus", Filters.RESOURCES.reject(task(3, 512), node(2, 256, Set.of(), 1, 10)));
        assertNull(Filters.RESOURCES.reject(task(2, 256), node(2, 256, Set.of(), 1, 10)));
    }

    @Test
    void refusesAFixedPortThatIsTakenOrOutsideTheRange() {
        assertEquals("host port 5 unavailable", Filters.PORTS.reject(task(1, 1, 5), node(2, 2, Set.of(5), 1, 10)));
        assertEquals("host port 50 unavailable", Filters.PORTS.reject(task(1, 1, 50), node(2, 2, Set.of(), 1, 10)));
        assertNull(Filters.PORTS.reject(task(1, 1, 6), node(2, 2, Set.of(5), 1, 10)));
    }

    @Test
    void countsFreeDynamicPorts() {
        assertEquals("insufficient ports", Filters.PORTS.reject(task(1, 1, 0, 0), node(2, 2, Set.of(1, 2), 1, 3)));
        assertNull(Filters.PORTS.reject(task(1, 1, 0), node(2, 2, Set.of(1, 2), 1, 3)));
    }

    @Test
    void firstFitAssignsTheLowestFreePortsAndCountsRejections() {
        FirstFitPlacer placer = new FirstFitPlacer(Filters.defaults());
        var full = new NodeCandidate("a", "h", new NodeResources(0, 0, 0), new PortRange(1, 10), Set.of(), true);
        var roomy = node(4, 4096, Set.of(31000), 31000, 31010);

        PlacementResult result = placer.place(task(1, 64, 0, 0), List.of(full, roomy));

        var placed = (PlacementResult.Placed) result;
        assertEquals("n", placed.nodeId());
        assertEquals(List.of(31001, 31002), placed.ports().stream().map(p -> p.port()).toList());
        assertEquals(Map.of("insufficient cpus", 1),
                ((PlacementResult.Unplaced) placer.place(task(1, 64), List.of(full))).reasons());
    }
}
