package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Affinity;
import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builders for nodes, tasks and clusters, so each test states only what matters to it. */
final class Fixtures {
    static final PortRange PORTS = new PortRange(31000, 31009);

    private Fixtures() {
    }

    static NodeBuilder node(String id) {
        return new NodeBuilder(id);
    }

    static TaskBuilder task(String taskId, String appId) {
        return new TaskBuilder(taskId, appId);
    }

    static Cluster clusterOf(NodeBuilder... nodes) {
        Cluster cluster = new Cluster();
        for (NodeBuilder node : nodes) {
            cluster.putNode(node.build());
        }
        return cluster;
    }

    static Cluster.Allocation allocation(String taskId, String appId, String nodeId, double cpus, double mem,
                                         Integer... ports) {
        return new Cluster.Allocation(taskId, appId, nodeId, new NodeResources(cpus, mem, 0), List.of(ports));
    }

    static Constraint constraint(String field, Constraint.Operator operator, String value) {
        return new Constraint(field, operator, value);
    }

    /** The node the result placed its task on; fails the test when it is unplaced. */
    static String nodeOf(PlacementResult result) {
        if (result instanceof PlacementResult.Placed placed) {
            return placed.nodeId();
        }
        throw new AssertionError("expected a placement, got " + result);
    }

    /** The reasons of an unplaced result; fails the test when it was placed. */
    static Map<String, Integer> reasonsOf(PlacementResult result) {
        if (result instanceof PlacementResult.Unplaced unplaced) {
            return unplaced.reasons();
        }
        throw new AssertionError("expected no placement, got " + result);
    }

    /** The node of each result, in order (null where unplaced). */
    static List<String> nodesOf(List<PlacementResult> results) {
        List<String> nodes = new ArrayList<>();
        for (PlacementResult r : results) {
            nodes.add(r instanceof PlacementResult.Placed p ? p.nodeId() : null);
        }
        return nodes;
    }

    static final class NodeBuilder {
        private final String id;
        private String hostname;
        private double cpus = 4;
        private double mem = 4096;
        private double disk = 10_000;
        private PortRange ports = PORTS;
        private final Map<String, String> attributes = new HashMap<>();
        private String isolation;
        private final Set<String> volumeProviders = new HashSet<>();
        private NodeConfinement confinement = NodeConfinement.NONE;

        private NodeBuilder(String id) {
            this.id = id;
            this.hostname = id + ".example";
        }

        NodeBuilder cpus(double value) {
            cpus = value;
            return this;
        }

        NodeBuilder mem(double value) {
            mem = value;
            return this;
        }

        NodeBuilder disk(double value) {
            disk = value;
            return this;
        }

        NodeBuilder hostname(String value) {
            hostname = value;
            return this;
        }

        NodeBuilder ports(int begin, int end) {
            ports = new PortRange(begin, end);
            return this;
        }

        NodeBuilder attribute(String name, String value) {
            attributes.put(name, value);
            return this;
        }

        /** How the node's agent says it isolates tasks; unset, the node reports nothing (best-effort). */
        NodeBuilder isolation(String value) {
            isolation = value;
            return this;
        }

        /** The volume drivers the node serves. */
        NodeBuilder volumeProviders(String... providers) {
            volumeProviders.addAll(List.of(providers));
            return this;
        }

        /**
         * How the node's agent confines tasks; unset, it reports nothing ({@link NodeConfinement#NONE}: no own
         * root, no named user allowed).
         */
        NodeBuilder confinement(NodeConfinement value) {
            confinement = value;
            return this;
        }

        /** Tasks get their own root here, run as {@code nobody} by default, and may be any of {@code users}. */
        NodeBuilder ownRootAllowing(String... users) {
            return confinement(new NodeConfinement(NodeConfinement.OWN_ROOT, "nobody", List.of(users)));
        }

        /** Tasks see the host's files here, run as {@code nobody} by default, and may be any of {@code users}. */
        NodeBuilder hostRootAllowing(String... users) {
            return confinement(new NodeConfinement(NodeConfinement.HOST_ROOT, "nobody", List.of(users)));
        }

        NodeInfo build() {
            return new NodeInfo(id, hostname, "10.0.0." + Math.abs(id.hashCode() % 250),
                    new NodeResources(cpus, mem, disk), ports, attributes, isolation, volumeProviders, confinement);
        }
    }

    static final class TaskBuilder {
        private final String taskId;
        private final String appId;
        private double cpus = 1;
        private double mem = 128;
        private double disk = 0;
        private final List<PortDefinition> ports = new ArrayList<>();
        private final List<Constraint> constraints = new ArrayList<>();
        private final List<Affinity> affinity = new ArrayList<>();
        private PlacementStrategy strategy;
        private final Set<String> volumeProviders = new HashSet<>();
        private String pinnedNodeId;
        private String user;
        private Isolation.Filesystem filesystem = Isolation.Filesystem.OPTIONAL;

        private TaskBuilder(String taskId, String appId) {
            this.taskId = taskId;
            this.appId = appId;
        }

        TaskBuilder cpus(double value) {
            cpus = value;
            return this;
        }

        TaskBuilder mem(double value) {
            mem = value;
            return this;
        }

        TaskBuilder disk(double value) {
            disk = value;
            return this;
        }

        TaskBuilder port(int port) {
            ports.add(new PortDefinition(port, "p" + ports.size(), "tcp", Map.of()));
            return this;
        }

        TaskBuilder constraint(String field, Constraint.Operator operator, String value) {
            constraints.add(new Constraint(field, operator, value));
            return this;
        }

        TaskBuilder constraint(String field, Constraint.Operator operator) {
            return constraint(field, operator, null);
        }

        TaskBuilder affinity(String field, String value, int weight) {
            affinity.add(new Affinity(field, value, weight));
            return this;
        }

        TaskBuilder strategy(PlacementStrategy value) {
            strategy = value;
            return this;
        }

        /** The volume drivers a node must serve for the task. */
        TaskBuilder volumeProviders(String... providers) {
            volumeProviders.addAll(List.of(providers));
            return this;
        }

        /** The node the task's local volume lives on. */
        TaskBuilder pinnedTo(String nodeId) {
            pinnedNodeId = nodeId;
            return this;
        }

        /** The user the app names; unset, the node's default user. */
        TaskBuilder user(String value) {
            user = value;
            return this;
        }

        /** {@code "isolation": {"filesystem": "required"}}: only a node giving tasks their own root. */
        TaskBuilder ownRootRequired() {
            filesystem = Isolation.Filesystem.REQUIRED;
            return this;
        }

        TaskRequest build() {
            return new TaskRequest(taskId, appId, new NodeResources(cpus, mem, disk), ports, constraints, affinity,
                    strategy, volumeProviders, pinnedNodeId, user, filesystem);
        }

        /** {@code count} tasks of this shape, ids {@code taskId-0 …}. */
        List<TaskRequest> times(int count) {
            List<TaskRequest> tasks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                tasks.add(new TaskRequest(taskId + "-" + i, appId, new NodeResources(cpus, mem, disk), ports,
                        constraints, affinity, strategy, volumeProviders, pinnedNodeId, user, filesystem));
            }
            return tasks;
        }
    }

    /** The filter verdict for a task on a node of a cluster, as the engine would see it now. */
    static String verdict(NodeFilter filter, TaskRequest task, Cluster cluster, String nodeId) {
        TaskContext context = TaskContext.of(task, PlacementStrategy.BINPACK, cluster);
        return filter.reject(context, cluster.view(nodeId).orElseThrow());
    }

    /** The scorer's score for a task on a node of a cluster, as the engine would see it now. */
    static double score(NodeScorer scorer, TaskRequest task, Cluster cluster, String nodeId) {
        TaskContext context = TaskContext.of(task, PlacementStrategy.BINPACK, cluster);
        return scorer.score(context, cluster.view(nodeId).orElseThrow());
    }
}
