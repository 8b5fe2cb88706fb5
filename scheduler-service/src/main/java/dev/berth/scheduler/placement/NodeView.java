package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.NodeResources;

/**
 * A read-only look at one node as placement sees it: what it offers, whether it takes new tasks,
 * what is left on it and which apps run there. Filters and scorers get one per node they examine;
 * it reads the {@link Cluster}'s live counters, so it costs nothing to hand out.
 */
public interface NodeView {
    NodeInfo info();

    NodeAvailability mode();

    double freeCpus();

    double freeMem();

    double freeDisk();

    /** What the node has left after its current allocations. */
    default NodeResources free() {
        return new NodeResources(freeCpus(), freeMem(), freeDisk());
    }

    /** True when {@code port} is in the node's host port range and no task holds it. */
    boolean portFree(int port);

    /** How many ports of the node's range no task holds. */
    int freePortCount();

    /** Instances of the app that run on this node. */
    int instancesOf(String appId);
}
