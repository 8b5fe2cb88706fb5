package dev.berth.scheduler.placement;

import dev.berth.contracts.messages.PortRange;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's running tally for one node id: its latest {@link NodeInfo} (null while the node is
 * not, or no longer, registered), its mode, and the sums of what its allocations hold. Mutated only
 * by {@link Cluster}; the engine reads it through {@link NodeView}.
 */
final class NodeState implements NodeView {
    final String id;
    /** Position on the visiting ring: a hash of the id, so nearby names land far apart. */
    final long ringKey;
    NodeInfo info;
    NodeAvailability mode = NodeAvailability.READY;
    double usedCpus;
    double usedMem;
    double usedDisk;
    /** The load tier the node sits in ({@link Cluster#tier}), -1 while unregistered. */
    int tier = -1;
    /** The engine's mark that this node was already visited in the current placement. */
    long visitMark;
    final Map<String, Cluster.Allocation> allocations = new HashMap<>();
    private final Map<String, int[]> appCounts = new HashMap<>();

    // Host ports held, as offsets from portBegin. Ports held by two allocations at once can only come
    // from an inconsistent rebuild; they are counted in sharedPorts so that releasing one holder does
    // not free the port under the other.
    private final BitSet usedPorts = new BitSet();
    private Map<Integer, Integer> sharedPorts;
    private int usedPortCount;
    private int portBegin = 1;
    private int portEnd = 0;

    NodeState(String id) {
        this.id = id;
        this.ringKey = NodeRing.mix(id.hashCode());
    }

    @Override
    public NodeInfo info() {
        return info;
    }

    @Override
    public NodeAvailability mode() {
        return mode;
    }

    @Override
    public double freeCpus() {
        return info == null ? 0 : info.capacity().cpus() - usedCpus;
    }

    @Override
    public double freeMem() {
        return info == null ? 0 : info.capacity().mem() - usedMem;
    }

    @Override
    public double freeDisk() {
        return info == null ? 0 : info.capacity().disk() - usedDisk;
    }

    @Override
    public boolean portFree(int port) {
        return port >= portBegin && port <= portEnd && !usedPorts.get(port - portBegin);
    }

    @Override
    public int freePortCount() {
        return Math.max(0, portEnd - portBegin + 1 - usedPortCount);
    }

    @Override
    public int instancesOf(String appId) {
        int[] c = appCounts.get(appId);
        return c == null ? 0 : c[0];
    }

    /** The value of a constraint field here, or null when the node is unknown or lacks it. */
    String field(String name) {
        return info == null ? null : info.field(name);
    }

    /** The lowest free port at or above {@code from}, or -1 when none is left. */
    int lowestFreePort(int from) {
        int index = usedPorts.nextClearBit(Math.max(0, from - portBegin));
        int port = portBegin + index;
        return port <= portEnd ? port : -1;
    }

    boolean isEmpty() {
        return allocations.isEmpty();
    }

    void add(Cluster.Allocation a) {
        allocations.put(a.taskId(), a);
        usedCpus += a.resources().cpus();
        usedMem += a.resources().mem();
        usedDisk += a.resources().disk();
        appCounts.computeIfAbsent(a.appId(), k -> new int[1])[0]++;
        holdPorts(a.hostPorts());
    }

    void remove(Cluster.Allocation a) {
        allocations.remove(a.taskId());
        if (allocations.isEmpty()) {
            // Start again from exact zeros rather than carry the rounding of many float subtractions.
            usedCpus = 0;
            usedMem = 0;
            usedDisk = 0;
        } else {
            usedCpus -= a.resources().cpus();
            usedMem -= a.resources().mem();
            usedDisk -= a.resources().disk();
        }
        int[] c = appCounts.get(a.appId());
        if (c != null && --c[0] <= 0) {
            appCounts.remove(a.appId());
        }
        releasePorts(a.hostPorts());
    }

    Iterable<String> apps() {
        return appCounts.keySet();
    }

    /** Re-derive the held ports after the node's range changed (or the node came or went). */
    void rebuildPorts() {
        usedPorts.clear();
        sharedPorts = null;
        usedPortCount = 0;
        PortRange range = info == null ? null : info.ports();
        if (range == null || range.end() < range.begin()) {
            portBegin = 1;
            portEnd = 0;
        } else {
            portBegin = range.begin();
            portEnd = range.end();
        }
        for (Cluster.Allocation a : allocations.values()) {
            holdPorts(a.hostPorts());
        }
    }

    private void holdPorts(List<Integer> ports) {
        for (int port : ports) {
            // Ports outside the range cannot be handed out anyway; they count again if the range grows.
            if (port < portBegin || port > portEnd) {
                continue;
            }
            int offset = port - portBegin;
            if (usedPorts.get(offset)) {
                if (sharedPorts == null) {
                    sharedPorts = new HashMap<>();
                }
                sharedPorts.merge(port, 1, Integer::sum);
            } else {
                usedPorts.set(offset);
                usedPortCount++;
            }
        }
    }

    private void releasePorts(List<Integer> ports) {
        for (int port : ports) {
            if (port < portBegin || port > portEnd) {
                continue;
            }
            Integer extra = sharedPorts == null ? null : sharedPorts.get(port);
            if (extra != null) {
                if (extra == 1) {
                    sharedPorts.remove(port);
                } else {
                    sharedPorts.put(port, extra - 1);
                }
            } else if (usedPorts.get(port - portBegin)) {
                usedPorts.clear(port - portBegin);
                usedPortCount--;
            }
        }
    }
}
