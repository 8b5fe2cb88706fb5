package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Affinity;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortAssignment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Places a batch of tasks on a {@link Cluster}: for each, the filters keep the nodes that may take
 * it, the scorers rank them, the best wins and is allocated at once. A task no node takes gets the
 * count of every rejection reason instead.
 *
 * <p>How one task is placed:
 * <ol>
 *   <li><b>Candidates.</b> The one node a task's local volume lives on, when it has one. Else all
 *       registered nodes, or, from the cluster's field index: when the task
 *       has a CLUSTER or IS constraint, only the nodes with that value; when it has a GROUP_BY
 *       (on a field of at most 64 values), only the nodes of the values it allows, unused values
 *       first.</li>
 *   <li><b>Limited search</b> (after Nomad). Each visited node runs the filters ({@link ModeFilter},
 *       {@link PinnedNodeFilter}, {@link FilesystemFilter}, {@link UserFilter}, {@link VolumeProviderFilter},
 *       {@link ResourcesFilter}, {@link PortsFilter}, {@link ConstraintFilter}, cheapest first); the
 *       search stops once {@code K} nodes passed, {@code K = max(2, ceil(log2 N))} by default, and the
 *       best of those wins. Candidates are kept by load tier: the tiers the strategy prefers are
 *       visited first (BINPACK: fullest; SPREAD: emptiest; a bounded number of visits), then the
 *       rest in the cluster's hashed ring order, from a point derived from the task id and the seed.
 *       Tasks with affinities score every feasible node, as a preferred node is otherwise easily
 *       missed.</li>
 *   <li><b>Scores</b>: a weighted mean of the {@link NodeScorer}s that apply: strategy (BINPACK or
 *       SPREAD), the app's anti-affinity with itself, GROUP_BY spread, and soft affinity; ties go
 *       to the lower node id. Same inputs, same placements.</li>
 *   <li><b>On failure</b> every registered node is filtered once more and each node's first
 *       rejection counted, so the reasons cover the whole cluster; a later identical request of
 *       the same app in the batch reuses them without a scan, until that app's allocations change.</li>
 * </ol>
 *
 * <p>Placing a batch gives the same result as placing its requests one by one, in order: the
 * search start depends on the task id, not on the position in the batch. Not thread-safe: the
 * engine caches compiled constraints and is meant for the one thread that owns the cluster.
 */
public final class PlacementEngine {
    private static final NodeFilter[] FILTERS = {
            // Ordered by cost: one field read; one string comparison; a flag of the task (and, when set,
            // one string comparison); a null check (and, for an app that names a user, a lookup in the
            // node's short list of users); one map lookup (none for a task on the host network); a set
            // lookup per volume driver (none for a stateless task); three float comparisons; a bit set
            // lookup per fixed port; per-constraint hash lookups (and a cached regex answer). The file
            // system, user and bridge come before resources also because they are what the node is, not
            // what it has left: "user root not allowed" tells an operator more than "insufficient mem" on
            // a node that would refuse the task even when empty.
            ModeFilter.INSTANCE, PinnedNodeFilter.INSTANCE, FilesystemFilter.INSTANCE, UserFilter.INSTANCE,
            BridgeFilter.INSTANCE, VolumeProviderFilter.INSTANCE, ResourcesFilter.INSTANCE, PortsFilter.INSTANCE,
            ConstraintFilter.INSTANCE};

    static final String NO_NODES = "no nodes registered";
    /** Above this many values a GROUP_BY field is not walked value by value (see groupByCandidates). */
    private static final int MAX_GROUP_BY_VALUES = 64;
    private static final PlacementResult.Unplaced NO_NODES_RESULT = new PlacementResult.Unplaced(Map.of(NO_NODES, 0));

    private final PlacementStrategy clusterDefault;
    private final Options options;
    private final ConstraintCache constraintCache = new ConstraintCache();
    /** Tells nodes visited in this placement from those visited in earlier ones, without clearing. */
    private long visitMark;

    /**
     * Tuning of the engine; {@link #defaults()} suits production.
     *
     * @param searchLimit        how many feasible nodes to score per task: {@link #AUTO} for
     *                           {@code max(2, ceil(log2 N))}, {@link #EXHAUSTIVE} for all
     * @param seed               moves the search start; same seed, same placements
     * @param strategyWeight     weight of the BINPACK/SPREAD score, in [0, 1]
     * @param antiAffinityWeight weight of the app's anti-affinity with itself, in [-1, 0]
     * @param groupBySpreadWeight weight of preferring GROUP_BY values the app uses least, in [-1, 0]
     * @param affinityWeight     weight of soft affinity, in [-1, 1]; 2 lets an affinity of 50 or more
     *                           outweigh any difference in strategy score
     * @param indexedCandidates  narrow candidates by the field index for CLUSTER, IS and GROUP_BY;
     *                           off only to measure the baseline
     */
    public record Options(int searchLimit, long seed, double strategyWeight, double antiAffinityWeight,
                          double groupBySpreadWeight, double affinityWeight, boolean indexedCandidates) {
        public static final int AUTO = 0;
        public static final int EXHAUSTIVE = Integer.MAX_VALUE;

        public Options {
            if (searchLimit < 0) {
                throw new IllegalArgumentException("searchLimit must be AUTO (0) or positive");
            }
        }

        public static Options defaults() {
            return new Options(AUTO, 0x5EED_BE27L, 1.0, 1.0, 1.0, 2.0, true);
        }

        public Options withSearchLimit(int limit) {
            return new Options(limit, seed, strategyWeight, antiAffinityWeight, groupBySpreadWeight, affinityWeight,
                    indexedCandidates);
        }

        public Options withSeed(long newSeed) {
            return new Options(searchLimit, newSeed, strategyWeight, antiAffinityWeight, groupBySpreadWeight,
                    affinityWeight, indexedCandidates);
        }

        public Options withIndexedCandidates(boolean indexed) {
            return new Options(searchLimit, seed, strategyWeight, antiAffinityWeight, groupBySpreadWeight,
                    affinityWeight, indexed);
        }
    }

    public PlacementEngine(PlacementStrategy clusterDefault) {
        this(clusterDefault, Options.defaults());
    }

    public PlacementEngine(PlacementStrategy clusterDefault, Options options) {
        this.clusterDefault = clusterDefault == null ? PlacementStrategy.BINPACK : clusterDefault;
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** Places the batch in order; each result is at the index of its request. */
    public List<PlacementResult> place(List<TaskRequest> batch, Cluster cluster) {
        List<PlacementResult> results = new ArrayList<>(batch.size());
        Map<FailureKey, Failure> failures = new HashMap<>();
        for (TaskRequest request : batch) {
            results.add(placeOne(request, cluster, failures));
        }
        return results;
    }

    private PlacementResult placeOne(TaskRequest request, Cluster cluster, Map<FailureKey, Failure> failures) {
        if (cluster.nodeCount() == 0) {
            return NO_NODES_RESULT;
        }
        PlacementStrategy strategy = request.strategy() != null ? request.strategy() : clusterDefault;
        FailureKey key = null;
        if (!failures.isEmpty()) {
            key = FailureKey.of(request, strategy);
            Failure failure = failures.get(key);
            if (failure != null && failure.appVersion == appVersion(cluster, request.appId())) {
                return failure.result;
            }
        }

        TaskContext task = new TaskContext(request, strategy, cluster, constraintCache);
        Scoring scoring = scoring(task);
        TieredRing candidates = candidates(task, cluster);
        NodeState best = search(task, scoring, candidates, cluster, limit(request, cluster.nodeCount()));
        if (best != null) {
            return allocate(task, best, cluster);
        }

        // Nothing feasible among the candidates: filter the whole cluster for the reasons (and, should
        // the index ever have missed a node, to find it after all).
        Map<String, Integer> reasons = new HashMap<>();
        NodeRing all = cluster.ring().all;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < all.size(); i++) {
            NodeState node = all.get(i);
            String reason = reject(task, node);
            if (reason != null) {
                reasons.merge(reason, 1, Integer::sum);
                continue;
            }
            double score = scoring.score(task, node);
            if (best == null || better(score, node, bestScore, best)) {
                best = node;
                bestScore = score;
            }
        }
        if (best != null) {
            return allocate(task, best, cluster);
        }
        PlacementResult.Unplaced unplaced = new PlacementResult.Unplaced(sorted(reasons));
        failures.put(key != null ? key : FailureKey.of(request, strategy),
                new Failure(appVersion(cluster, request.appId()), unplaced));
        return unplaced;
    }

    /**
     * Finds the best of the first {@code limit} feasible candidates. With a finite limit the load
     * tiers the strategy prefers are visited first (BINPACK: the fullest non-empty nodes; SPREAD: empty,
     * then least loaded), at most {@code max(64, 32 K)} nodes of them and {@code 4 K} per tier, so that
     * the few nodes scored are the ones a full scan would favour; then the rest in ring order,
     * skipping nodes already seen.
     * Every walk over a ring starts at a point derived from the task id and the seed.
     */
    private NodeState search(TaskContext task, Scoring scoring, TieredRing candidates, Cluster cluster, int limit) {
        if (candidates.size() == 0) {
            return null;
        }
        String taskId = task.request().taskId();
        long hash = NodeRing.mix(options.seed() ^ (taskId == null ? 0 : taskId.hashCode()));
        Search search = new Search(task, scoring, limit, ++visitMark, hash);
        if (candidates == cluster.ring() && options.indexedCandidates() && task.groupBys.length > 0) {
            List<List<TieredRing>> groups = groupByCandidates(task.groupBys[0], cluster, hash);
            if (groups != null) {
                // Exact: a node of any other value breaks the GROUP_BY, so nothing else need be visited.
                // Unused values come first and, if one can take the task, the least used are not even
                // looked at: that is what spreads an app over every value without a count.
                for (List<TieredRing> group : groups) {
                    search.walk(group);
                    if (search.best != null) {
                        break;
                    }
                }
                return search.best;
            }
        }
        search.walk(List.of(candidates));
        return search.best;
    }

    /**
     * The nodes a GROUP_BY lets in, in two groups of values: those holding no instance of the app,
     * then (once enough values are in use) those holding the fewest; within each group the order of
     * values is rotated by the task, so apps do not all start on the same value. Null when the field
     * has too many values for this to beat walking the ring (GROUP_BY hostname on a large cluster).
     */
    private static List<List<TieredRing>> groupByCandidates(ConstraintCheck.GroupBy groupBy, Cluster cluster,
                                                            long hash) {
        Map<String, TieredRing> byValue = cluster.valuesOf(groupBy.field());
        if (byValue.size() > MAX_GROUP_BY_VALUES) {
            return null;
        }
        ValueCounts counts = groupBy.counts;
        boolean leastAllowed = counts.groups() >= groupBy.minGroups;
        int min = counts.min();
        List<String> unused = new ArrayList<>();
        List<String> least = new ArrayList<>();
        for (String value : byValue.keySet()) {
            int here = counts.count(value);
            if (here == 0) {
                unused.add(value);
            } else if (leastAllowed && here == min) {
                least.add(value);
            }
        }
        return List.of(rotated(unused, byValue, hash), rotated(least, byValue, hash));
    }

    private static List<TieredRing> rotated(List<String> values, Map<String, TieredRing> byValue, long hash) {
        // Sorted first: the index is a HashMap, and placements must not depend on its iteration order.
        Collections.sort(values);
        int n = values.size();
        List<TieredRing> rings = new ArrayList<>(n);
        int start = n == 0 ? 0 : (int) Long.remainderUnsigned(hash, n);
        for (int i = 0; i < n; i++) {
            rings.add(byValue.get(values.get((start + i) % n)));
        }
        return rings;
    }

    /** One placement's walk over candidates: the best feasible node so far and how many passed. */
    private static final class Search {
        private final TaskContext task;
        private final Scoring scoring;
        private final int limit;
        private final long mark;
        private final long hash;
        NodeState best;
        double bestScore = Double.NEGATIVE_INFINITY;
        int feasible;

        Search(TaskContext task, Scoring scoring, int limit, long mark, long hash) {
            this.task = task;
            this.scoring = scoring;
            this.limit = limit;
            this.mark = mark;
            this.hash = hash;
        }

        boolean done() {
            return feasible >= limit;
        }

        /** Preferred tiers first (bounded), then everything not yet seen, until the limit is reached. */
        void walk(List<TieredRing> rings) {
            if (limit != Options.EXHAUSTIVE) {
                int budget = Math.max(64, 32 * limit);
                boolean binpack = task.strategy() != PlacementStrategy.SPREAD;
                for (int step = 0; step < TieredRing.TIERS && budget > 0 && !done(); step++) {
                    // BINPACK leaves tier 0 (empty nodes) to the plain walk: it wants them only when
                    // the loaded nodes it saw cannot take the task.
                    int tier = binpack ? TieredRing.TIERS - 1 - step : step;
                    if (binpack && tier == 0) {
                        break;
                    }
                    // A tier gets at most 4 K visits: the fullest tiers under BINPACK are mostly nodes
                    // too full for the task, and must not use up the whole budget. (Budgets tuned on
                    // the benchmark: smaller ones opened fresh nodes needlessly; see docs/placement.md.)
                    int tierBudget = Math.min(budget, 4 * limit);
                    for (int i = 0; i < rings.size() && tierBudget > 0 && !done(); i++) {
                        int left = walk(rings.get(i).tier(tier), tierBudget, true);
                        budget -= tierBudget - left;
                        tierBudget = left;
                    }
                }
            }
            for (int i = 0; i < rings.size() && !done(); i++) {
                walk(rings.get(i).all, Integer.MAX_VALUE, false);
            }
        }

        /** Visits up to {@code budget} nodes of {@code nodes} from the task's start; returns the budget left. */
        private int walk(NodeRing nodes, int budget, boolean first) {
            int n = nodes.size();
            if (n == 0) {
                return budget;
            }
            int index = (int) Long.remainderUnsigned(hash, n);
            for (int visited = 0; visited < n && budget > 0 && feasible < limit;
                 visited++, index = index + 1 == n ? 0 : index + 1) {
                NodeState node = nodes.get(index);
                if (first) {
                    node.visitMark = mark;
                } else if (node.visitMark == mark) {
                    continue;
                }
                budget--;
                if (reject(task, node) != null) {
                    continue;
                }
                double score = scoring.score(task, node);
                if (best == null || better(score, node, bestScore, best)) {
                    best = node;
                    bestScore = score;
                }
                feasible++;
            }
            return budget;
        }
    }

    private static boolean better(double score, NodeState node, double bestScore, NodeState best) {
        return score > bestScore || (score == bestScore && node.id.compareTo(best.id) < 0);
    }

    private static String reject(TaskContext task, NodeState node) {
        for (NodeFilter filter : FILTERS) {
            String reason = filter.reject(task, node);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    private PlacementResult allocate(TaskContext task, NodeState node, Cluster cluster) {
        TaskRequest request = task.request();
        List<PortAssignment> ports = PortsFilter.assign(task, node);
        cluster.allocate(new Cluster.Allocation(request.taskId(), request.appId(), node.id, request.resources(),
                PortsFilter.hostPorts(ports)));
        return new PlacementResult.Placed(node.id, node.info.host(), ports);
    }

    /**
     * The node holding the task's local volume, when it has one; else the smallest node set an
     * equality constraint allows, from the field index; else every node.
     */
    private TieredRing candidates(TaskContext task, Cluster cluster) {
        if (task.request().pinnedNodeId() != null) {
            // One node can take it: walking the ring for K feasible nodes would visit every node.
            return cluster.onlyNode(task.request().pinnedNodeId());
        }
        TieredRing smallest = cluster.ring();
        if (!options.indexedCandidates()) {
            return smallest;
        }
        for (ConstraintCheck check : task.checks) {
            TieredRing nodes = null;
            if (check instanceof ConstraintCheck.Equals equals) {
                nodes = cluster.nodesWith(equals.field(), equals.expected);
            } else if (check instanceof ConstraintCheck.ClusterWithInstances sameValue && sameValue.existing() != null) {
                nodes = cluster.nodesWith(sameValue.field(), sameValue.existing());
            }
            if (nodes != null && nodes.size() < smallest.size()) {
                smallest = nodes;
            }
        }
        return smallest;
    }

    private int limit(TaskRequest request, int nodeCount) {
        if (!request.affinity().isEmpty()) {
            return Options.EXHAUSTIVE;
        }
        if (options.searchLimit() != Options.AUTO) {
            return options.searchLimit();
        }
        int log2 = 32 - Integer.numberOfLeadingZeros(Math.max(1, nodeCount - 1));
        return Math.max(2, log2);
    }

    private Scoring scoring(TaskContext task) {
        NodeScorer[] all = {StrategyScorer.INSTANCE, AppAntiAffinityScorer.INSTANCE, GroupBySpreadScorer.INSTANCE,
                AffinityScorer.INSTANCE};
        double[] weights = {options.strategyWeight(), options.antiAffinityWeight(), options.groupBySpreadWeight(),
                options.affinityWeight()};
        int n = 0;
        NodeScorer[] used = new NodeScorer[all.length];
        double[] usedWeights = new double[all.length];
        double sum = 0;
        for (int i = 0; i < all.length; i++) {
            if (weights[i] != 0 && all[i].appliesTo(task)) {
                used[n] = all[i];
                usedWeights[n] = weights[i];
                sum += weights[i];
                n++;
            }
        }
        return new Scoring(used, usedWeights, n, sum);
    }

    /** The scorers that apply to one task, and their weights. */
    private record Scoring(NodeScorer[] scorers, double[] weights, int count, double weightSum) {
        /** Weighted mean, so a task's score stays in [-1, 1] whatever applies. */
        double score(TaskContext task, NodeView node) {
            if (count == 0) {
                return 0;
            }
            double total = 0;
            for (int i = 0; i < count; i++) {
                total += weights[i] * scorers[i].score(task, node);
            }
            return total / weightSum;
        }
    }

    private static int appVersion(Cluster cluster, String appId) {
        AppFootprint app = cluster.app(appId);
        return app == null ? -1 : app.version;
    }

    /** Most frequent reason first; equal counts by name, so the summary reads the same every time. */
    private static Map<String, Integer> sorted(Map<String, Integer> reasons) {
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(reasons.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : entries) {
            out.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(out);
    }

    /** A request minus its task id: two requests with equal keys are placed identically. */
    private record FailureKey(String appId, NodeResources resources, List<PortDefinition> ports,
                              List<Constraint> constraints, List<Affinity> affinity, PlacementStrategy strategy,
                              Set<String> volumeProviders, String pinnedNodeId, String user,
                              Isolation.Filesystem filesystem, boolean bridged) {
        static FailureKey of(TaskRequest r, PlacementStrategy strategy) {
            return new FailureKey(r.appId(), r.resources(), r.ports(), r.constraints(), r.affinity(), strategy,
                    r.volumeProviders(), r.pinnedNodeId(), r.user(), r.filesystem(), r.bridged());
        }
    }

    private record Failure(int appVersion, PlacementResult.Unplaced result) {
    }
}
