package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.PortRange;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.berth.contracts.app.Constraint.Operator.CLUSTER;
import static dev.berth.contracts.app.Constraint.Operator.GROUP_BY;
import static dev.berth.contracts.app.Constraint.Operator.IS;
import static dev.berth.contracts.app.Constraint.Operator.LIKE;
import static dev.berth.contracts.app.Constraint.Operator.MAX_PER;
import static dev.berth.contracts.app.Constraint.Operator.UNIQUE;

/**
 * Placement throughput on simulated clusters of 1,000 / 5,000 / 10,000 nodes, for BINPACK and
 * SPREAD, against a baseline that filters and scores every node. Not part of the normal test run
 * (surefire excludes {@code *Benchmark}); run it with
 * {@code bench/run PlacementBenchmark} (see docs/benchmarks.md), or through {@link #main}.
 *
 * <p>It asserts no timing (the machine is shared and noisy) but checks every placement against an
 * independent, naive model of the rules: resources, ports and each constraint as of the moment the
 * task was placed, and that no node could have taken a task reported unplaced.
 *
 * <p>System properties: {@code bench.sizes} (default {@code 1000,5000,10000}), {@code bench.tasks}
 * (tasks per run, default 100000), {@code bench.baselineTasks} (default 5000), {@code bench.repeat}
 * (timed runs per figure, the median is reported; default 3).
 */
class PlacementBenchmark {
    private static final int ZONES = 10;
    private static final int NODES_PER_RACK = 20;
    private static final PortRange PORT_RANGE = new PortRange(31000, 32000);
    private static final String EVEN_RACKS = "rack-[0-9]*[02468]";

    @Test
    void measuresPlacementThroughputAndChecksEveryPlacement() {
        run(System.out);
    }

    public static void main(String[] args) {
        run(System.out);
    }

    static void run(PrintStream out) {
        int[] sizes = parseSizes(System.getProperty("bench.sizes", "1000,5000,10000"));
        int tasks = Integer.getInteger("bench.tasks", 100_000);
        int baselineTasks = Integer.getInteger("bench.baselineTasks", 5_000);
        int repeat = Integer.getInteger("bench.repeat", 3);

        out.printf(Locale.ROOT, "Placement benchmark: %d tasks per run, baseline on the first %d; %d cpus, java %s%n",
                tasks, baselineTasks, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        // Warm-up: the same code paths on a smaller cluster, results discarded.
        for (PlacementStrategy strategy : PlacementStrategy.values()) {
            List<List<TaskRequest>> warm = workload(30_000, 7);
            measure(newCluster(1_000, 7), new PlacementEngine(strategy), warm, Integer.MAX_VALUE);
            measure(newCluster(1_000, 7), baselineEngine(strategy), warm, 2_000);
        }

        List<Row> rows = new ArrayList<>();
        for (int size : sizes) {
            List<List<TaskRequest>> workload = workload(tasks, 42);
            for (PlacementStrategy strategy : PlacementStrategy.values()) {
                // The full run is repeated and the median kept: one run takes well under a second here,
                // short enough for a collection or a neighbour's build to skew it.
                List<Run> fullRuns = new ArrayList<>();
                Cluster checkedCluster = null;
                for (int r = 0; r < repeat; r++) {
                    Cluster cluster = newCluster(size, 42);
                    fullRuns.add(measure(cluster, new PlacementEngine(strategy), workload, Integer.MAX_VALUE));
                    checkedCluster = r == 0 ? cluster : checkedCluster;
                }
                Run full = median(fullRuns);
                Checked checked = verify(newCluster(size, 42), workload, fullRuns.get(0).results, checkedCluster);
                for (Run other : fullRuns) {
                    if (!nodesOf(other.results).equals(nodesOf(fullRuns.get(0).results))) {
                        throw new AssertionError("two runs of the same input placed differently");
                    }
                }

                // The prefix takes milliseconds: more repeats for a steadier median.
                List<Run> prefixRuns = new ArrayList<>();
                for (int r = 0; r < Math.max(5, repeat); r++) {
                    prefixRuns.add(measure(newCluster(size, 42), new PlacementEngine(strategy), workload, baselineTasks));
                }
                Run enginePrefix = median(prefixRuns);
                Run baselinePrefix = measure(newCluster(size, 42), baselineEngine(strategy), workload, baselineTasks);
                verify(newCluster(size, 42), workload, baselinePrefix.results, null);

                Row row = new Row(size, strategy, full, checked, utilisation(checkedCluster), enginePrefix,
                        baselinePrefix);
                rows.add(row);
                out.println(row.line());
            }
        }
        out.println();
        out.println("| nodes | strategy | tasks | placed | placements/s | cpu allocated at end "
                + "| first " + baselineTasks + ": engine/s | full scan/s | ratio | engine's result | full scan's result |");
        out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        for (Row row : rows) {
            out.println(row.markdown());
        }
    }

    private static Run median(List<Run> runs) {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Long.compare(a.nanos, b.nanos));
        return sorted.get(sorted.size() / 2);
    }

    private static List<String> nodesOf(List<PlacementResult> results) {
        List<String> nodes = new ArrayList<>(results.size());
        for (PlacementResult r : results) {
            nodes.add(r instanceof PlacementResult.Placed p ? p.nodeId() : String.valueOf(r));
        }
        return nodes;
    }

    /** Allocated cpus over the cluster's cpus. */
    private static double utilisation(Cluster cluster) {
        double capacity = 0;
        double allocated = 0;
        for (NodeInfo node : cluster.nodes()) {
            capacity += node.capacity().cpus();
            allocated += cluster.allocated(node.nodeId()).cpus();
        }
        return allocated / capacity;
    }

    /** The same filters and scorers, but every node filtered and scored and no index narrowing. */
    private static PlacementEngine baselineEngine(PlacementStrategy strategy) {
        return new PlacementEngine(strategy, PlacementEngine.Options.defaults()
                .withSearchLimit(PlacementEngine.Options.EXHAUSTIVE).withIndexedCandidates(false));
    }

    // ---- cluster and workload ---------------------------------------------------------------------

    static Cluster newCluster(int size, long seed) {
        Random random = new Random(seed);
        int[] cpus = {8, 16, 32, 64};
        double[] memPerCpu = {2048, 4096, 8192};
        Cluster cluster = new Cluster();
        for (int i = 0; i < size; i++) {
            double c = cpus[random.nextInt(cpus.length)];
            double mem = c * memPerCpu[random.nextInt(memPerCpu.length)];
            String id = String.format(Locale.ROOT, "node-%05d", i);
            // Racks are consecutive ids, as in a real inventory: the hashed ring must scatter them.
            Map<String, String> attributes = Map.of("zone", "zone-" + (i % ZONES), "rack", "rack-" + (i / NODES_PER_RACK));
            cluster.putNode(new NodeInfo(id, id + ".dc1", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
                    new NodeResources(c, mem, 500_000), PORT_RANGE, attributes));
        }
        return cluster;
    }

    /** Apps of 10–100 instances, one batch per app, until {@code tasks} tasks. */
    static List<List<TaskRequest>> workload(int tasks, long seed) {
        Random random = new Random(seed);
        double[] cpus = {0.05, 0.1, 0.2, 0.25};
        double[] mem = {64, 128, 256, 512};
        List<List<TaskRequest>> batches = new ArrayList<>();
        int total = 0;
        for (int app = 0; total < tasks; app++) {
            int instances = Math.min(tasks - total, 10 + random.nextInt(91));
            String appId = "/bench/app-" + app;
            NodeResources resources = new NodeResources(cpus[random.nextInt(cpus.length)], mem[random.nextInt(mem.length)],
                    100);
            List<PortDefinition> ports = new ArrayList<>();
            int portDice = random.nextInt(10);
            for (int p = 0; p < (portDice < 2 ? 0 : portDice < 9 ? 1 : 2); p++) {
                ports.add(new PortDefinition(0, "p" + p, "tcp", Map.of()));
            }
            List<Constraint> constraints = constraints(random.nextInt(100), random);
            List<TaskRequest> batch = new ArrayList<>(instances);
            for (int i = 0; i < instances; i++) {
                batch.add(new TaskRequest(appId + "." + i, appId, resources, ports, constraints, List.of(), null));
            }
            batches.add(batch);
            total += instances;
        }
        return batches;
    }

    private static List<Constraint> constraints(int dice, Random random) {
        if (dice < 30) {
            return List.of();
        }
        if (dice < 50) {
            return List.of(new Constraint("hostname", UNIQUE, null));
        }
        if (dice < 70) {
            return List.of(new Constraint("zone", GROUP_BY, null));
        }
        if (dice < 80) {
            return List.of(new Constraint("rack", LIKE, EVEN_RACKS));
        }
        if (dice < 90) {
            return List.of(new Constraint("rack", MAX_PER, "3"));
        }
        if (dice < 95) {
            return List.of(new Constraint("zone", CLUSTER, "zone-" + random.nextInt(ZONES)));
        }
        if (dice < 99) {
            return List.of(new Constraint("zone", GROUP_BY, String.valueOf(ZONES)),
                    new Constraint("hostname", UNIQUE, null));
        }
        // A rule no node meets: exercises the full scan for reasons and its reuse within the batch.
        return List.of(new Constraint("zone", IS, "zone-nowhere"));
    }

    // ---- measuring --------------------------------------------------------------------------------

    /** {@code busiest}: the highest cpu load of any node at the end, in [0, 1]. */
    record Run(int tasks, int placed, long nanos, List<TaskRequest> requests, List<PlacementResult> results,
               int nodesUsed, double busiest) {
        double perSecond() {
            return tasks / (nanos / 1e9);
        }
    }

    static Run measure(Cluster cluster, PlacementEngine engine, List<List<TaskRequest>> workload, int maxTasks) {
        List<TaskRequest> requests = new ArrayList<>();
        List<PlacementResult> results = new ArrayList<>();
        long nanos = 0;
        for (List<TaskRequest> batch : workload) {
            if (requests.size() >= maxTasks) {
                break;
            }
            List<TaskRequest> slice = batch.size() <= maxTasks - requests.size() ? batch
                    : batch.subList(0, maxTasks - requests.size());
            long start = System.nanoTime();
            List<PlacementResult> placed = engine.place(slice, cluster);
            nanos += System.nanoTime() - start;
            requests.addAll(slice);
            results.addAll(placed);
        }
        int placedCount = 0;
        Set<String> used = new HashSet<>();
        for (PlacementResult r : results) {
            if (r instanceof PlacementResult.Placed p) {
                placedCount++;
                used.add(p.nodeId());
            }
        }
        double busiest = 0;
        for (NodeInfo node : cluster.nodes()) {
            busiest = Math.max(busiest, cluster.allocated(node.nodeId()).cpus() / node.capacity().cpus());
        }
        return new Run(requests.size(), placedCount, nanos, requests, results, used.size(), busiest);
    }

    // ---- the independent check --------------------------------------------------------------------

    /** {@code reasons}: each reason given for an unplaced task, with how many tasks it was given for. */
    record Checked(int placed, int unplaced, int unplacedVerified, Map<String, Integer> reasons) {
    }

    /**
     * Replays the results in order over a naive model of the cluster (plain maps, no indexes) and
     * checks each against the rules as they stood when it was placed. For unplaced tasks it checks
     * (for up to 300 of them, as each costs a scan) that the model agrees no node could take them.
     */
    static Checked verify(Cluster fresh, List<List<TaskRequest>> workload, List<PlacementResult> results,
                          Cluster placedOn) {
        Model model = new Model(fresh);
        int index = 0;
        int placed = 0;
        int unplaced = 0;
        int verified = 0;
        Map<String, Integer> tally = new java.util.TreeMap<>();
        for (List<TaskRequest> batch : workload) {
            for (TaskRequest request : batch) {
                if (index == results.size()) {
                    break;
                }
                PlacementResult result = results.get(index++);
                if (result instanceof PlacementResult.Placed p) {
                    String broken = model.whyNot(request, p.nodeId(), model.countsFor(request));
                    if (broken != null) {
                        throw new AssertionError(request.taskId() + " on " + p.nodeId() + ": " + broken);
                    }
                    model.checkPorts(request, p);
                    model.add(request, p);
                    placed++;
                } else {
                    var reasons = ((PlacementResult.Unplaced) result).reasons();
                    reasons.keySet().forEach(reason -> tally.merge(reason, 1, Integer::sum));
                    int counted = reasons.values().stream().mapToInt(Integer::intValue).sum();
                    if (counted != model.nodes.size()) {
                        throw new AssertionError(request.taskId() + ": reasons cover " + counted + " nodes of "
                                + model.nodes.size() + ": " + reasons);
                    }
                    if (verified < 300) {
                        List<Map<String, Integer>> counts = model.countsFor(request);
                        for (String node : model.nodes.keySet()) {
                            if (model.whyNot(request, node, counts) == null) {
                                throw new AssertionError(request.taskId() + " unplaced but fits " + node + ": " + reasons);
                            }
                        }
                        verified++;
                    }
                    unplaced++;
                }
            }
        }
        if (placedOn != null) {
            for (String node : model.nodes.keySet()) {
                NodeResources expected = model.used.getOrDefault(node, NodeResources.NONE);
                NodeResources actual = placedOn.allocated(node);
                if (Math.abs(expected.cpus() - actual.cpus()) > 1e-6 || Math.abs(expected.mem() - actual.mem()) > 1e-6) {
                    throw new AssertionError(node + " holds " + actual + ", the model says " + expected);
                }
            }
        }
        return new Checked(placed, unplaced, verified, tally);
    }

    /** The rules written the obvious way, to check the engine's incremental ones against. */
    static final class Model {
        final Map<String, NodeInfo> nodes = new HashMap<>();
        final Map<String, NodeResources> used = new HashMap<>();
        final Map<String, Set<Integer>> ports = new HashMap<>();
        /** appId → nodeId → instances. */
        final Map<String, Map<String, Integer>> instances = new HashMap<>();

        Model(Cluster cluster) {
            cluster.nodes().forEach(n -> nodes.put(n.nodeId(), n));
        }

        /** Instances of the request's app per value of each constraint's field, as they stand now. */
        List<Map<String, Integer>> countsFor(TaskRequest request) {
            List<Map<String, Integer>> counts = new ArrayList<>();
            for (Constraint c : request.constraints()) {
                Map<String, Integer> perValue = new HashMap<>();
                instances.getOrDefault(request.appId(), Map.of()).forEach((nodeId, count) -> {
                    String v = nodes.get(nodeId).field(c.field());
                    if (v != null) {
                        perValue.merge(v, count, Integer::sum);
                    }
                });
                counts.add(perValue);
            }
            return counts;
        }

        String whyNot(TaskRequest request, String nodeId, List<Map<String, Integer>> counts) {
            NodeInfo node = nodes.get(nodeId);
            NodeResources free = node.capacity().minus(used.getOrDefault(nodeId, NodeResources.NONE));
            if (!free.fits(request.resources())) {
                return "resources";
            }
            Set<Integer> held = ports.getOrDefault(nodeId, Set.of());
            int size = node.ports().end() - node.ports().begin() + 1;
            if (size - held.size() < request.ports().size()) {
                return "ports";
            }
            for (int i = 0; i < request.constraints().size(); i++) {
                Constraint c = request.constraints().get(i);
                if (!allows(c, node, counts.get(i))) {
                    return c.toString();
                }
            }
            return null;
        }

        private static boolean allows(Constraint c, NodeInfo node, Map<String, Integer> perValue) {
            String value = node.field(c.field());
            int here = value == null ? 0 : perValue.getOrDefault(value, 0);
            return switch (c.operator()) {
                case UNIQUE -> value != null && here == 0;
                case MAX_PER -> value != null && here < Integer.parseInt(c.value());
                case CLUSTER, IS -> value != null && value.equals(c.value());
                case LIKE -> value != null && Pattern.matches(c.value(), value);
                case UNLIKE -> value == null || !Pattern.matches(c.value(), value);
                case GROUP_BY -> {
                    int groups = c.value() == null ? 0 : Integer.parseInt(c.value());
                    int min = perValue.values().stream().mapToInt(Integer::intValue).min().orElse(0);
                    yield value != null && (here == 0 || (perValue.size() >= groups && here == min));
                }
            };
        }

        void checkPorts(TaskRequest request, PlacementResult.Placed placed) {
            NodeInfo node = nodes.get(placed.nodeId());
            Set<Integer> held = ports.getOrDefault(placed.nodeId(), Set.of());
            Set<Integer> mine = new HashSet<>();
            if (placed.ports().size() != request.ports().size()) {
                throw new AssertionError(request.taskId() + ": " + placed.ports().size() + " ports assigned");
            }
            for (PortAssignment a : placed.ports()) {
                if (!node.ports().contains(a.port()) || held.contains(a.port()) || !mine.add(a.port())) {
                    throw new AssertionError(request.taskId() + ": port " + a.port() + " on " + placed.nodeId());
                }
            }
        }

        void add(TaskRequest request, PlacementResult.Placed placed) {
            used.merge(placed.nodeId(), request.resources(), NodeResources::plus);
            Set<Integer> held = ports.computeIfAbsent(placed.nodeId(), k -> new HashSet<>());
            placed.ports().forEach(a -> held.add(a.port()));
            instances.computeIfAbsent(request.appId(), k -> new HashMap<>()).merge(placed.nodeId(), 1, Integer::sum);
        }
    }

    // ---- report -----------------------------------------------------------------------------------

    record Row(int nodes, PlacementStrategy strategy, Run full, Checked checked, double utilisation, Run enginePrefix,
               Run baselinePrefix) {
        double ratio() {
            return enginePrefix.perSecond() / baselinePrefix.perSecond();
        }

        /** What the strategy is for: BINPACK, few nodes in use; SPREAD, no node much busier than the rest. */
        String quality(Run run) {
            return strategy == PlacementStrategy.BINPACK
                    ? String.format(Locale.ROOT, "%,d nodes used", run.nodesUsed)
                    : String.format(Locale.ROOT, "busiest node %.1f %% cpu", run.busiest * 100);
        }

        String line() {
            return String.format(Locale.ROOT,
                    "%,6d nodes %-7s %,7d tasks: %,7d placed, %,5d unplaced (%d re-checked), %,6.0f ms, %,9.0f placements/s,"
                            + " cpu %2.0f%%, %s | first %,d: engine %,9.0f/s, full scan %,8.0f/s, x%.1f, %s vs %s;"
                            + " unplaced for: %s",
                    nodes, strategy, full.tasks, checked.placed, checked.unplaced, checked.unplacedVerified,
                    full.nanos / 1e6, full.perSecond(), utilisation * 100, quality(full), enginePrefix.tasks,
                    enginePrefix.perSecond(), baselinePrefix.perSecond(), ratio(), quality(enginePrefix),
                    quality(baselinePrefix), checked.reasons);
        }

        String markdown() {
            return String.format(Locale.ROOT,
                    "| %,d | %s | %,d | %,d | **%,.0f** | %.0f %% | %,.0f | %,.0f | %.0f× | %s | %s |",
                    nodes, strategy, full.tasks, full.placed, full.perSecond(), utilisation * 100,
                    enginePrefix.perSecond(), baselinePrefix.perSecond(), ratio(), quality(enginePrefix),
                    quality(baselinePrefix));
        }
    }

    private static int[] parseSizes(String value) {
        String[] parts = value.split(",");
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            sizes[i] = Integer.parseInt(parts[i].trim());
        }
        return sizes;
    }
}
