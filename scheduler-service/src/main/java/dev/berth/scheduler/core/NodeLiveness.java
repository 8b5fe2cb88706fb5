package dev.berth.scheduler.core;

import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeAvailability;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Whether each node is still there, by when it was last heard from: the node timeout after which a
 * silent node is unreachable, and the volume lease after which a lost node's tasks have surely
 * stopped writing (see {@link StatefulVolumes}). Times count from the later of the node's last word
 * and the moment this scheduler went live: a scheduler that has just taken over cannot know what
 * was heard before, so every node gets one full timeout (and lease) from then.
 *
 * <p>Marks nodes {@link NodeAvailability#UNREACHABLE} in the {@link Cluster} it shares with the core; the
 * core decides what happens to their tasks.
 */
final class NodeLiveness implements StatefulVolumes.Nodes {
    private final SchedulerSettings settings;
    private final Cluster cluster;
    /** When each node was last heard from; sorted so every pass over nodes is deterministic. */
    private final Map<String, Instant> lastHeard = new TreeMap<>();
    /** Each node's volume lease in ms, from its latest report. */
    private final Map<String, Long> leases = new HashMap<>();
    /**
     * Nodes whose last report was already older than the node timeout when this scheduler went
     * live: perhaps gone for good. They get no new tasks until heard again; their tasks are declared
     * lost, as on any node, once a timeout from the start has passed without a word.
     */
    private final Set<String> unconfirmed = new HashSet<>();
    /** When this scheduler began to act; null while it is still rebuilding. */
    private Instant liveSince;

    NodeLiveness(SchedulerSettings settings, Cluster cluster) {
        this.settings = settings;
        this.cluster = cluster;
    }

    /** A report read during rebuild: its age counts from when it was written. */
    void restored(String nodeId, Instant writtenAt, long leaseMillis) {
        lastHeard.put(nodeId, writtenAt);
        leases.put(nodeId, leaseMillis);
    }

    /**
     * A live report from the node.
     *
     * @return true when the node was never heard from before
     */
    boolean heard(String nodeId, Instant now, long leaseMillis) {
        Instant before = lastHeard.put(nodeId, now);
        unconfirmed.remove(nodeId);
        leases.put(nodeId, leaseMillis);
        return before == null;
    }

    /** The first input after a rebuild: from now on, silence counts. */
    void goLive(Instant now) {
        if (liveSince != null) {
            return;
        }
        liveSince = now;
        // A new leader reads every node ever reported; one silent for longer than the timeout must
        // not be placed on in the grace every node gets (its agent may have stopped long ago).
        lastHeard.forEach((nodeId, last) -> {
            if (last != null && !last.plus(settings.nodeTimeout()).isAfter(now)
                    && cluster.mode(nodeId) != NodeAvailability.UNREACHABLE) {
                unconfirmed.add(nodeId);
                cluster.setMode(nodeId, NodeAvailability.UNREACHABLE);
            }
        });
    }

    /**
     * A node just declared unreachable.
     *
     * @param inherited it was already silent past the timeout when this scheduler went live (an
     *                  unconfirmed node whose grace ran out): a previous scheduler has most likely
     *                  declared it down already
     */
    record Silenced(String nodeId, boolean inherited) {
    }

    /**
     * Nodes that have just gone silent for longer than the node timeout (and unconfirmed nodes whose
     * grace has run out): marked unreachable; the caller loses their tasks.
     */
    List<Silenced> newlySilent(Instant now) {
        List<Silenced> silent = new ArrayList<>();
        for (Map.Entry<String, Instant> node : lastHeard.entrySet()) {
            String nodeId = node.getKey();
            if (node.getValue() != null
                    && (cluster.mode(nodeId) != NodeAvailability.UNREACHABLE || unconfirmed.contains(nodeId))
                    && !heardAt(nodeId).plus(settings.nodeTimeout()).isAfter(now)) {
                boolean inherited = unconfirmed.remove(nodeId);
                cluster.setMode(nodeId, NodeAvailability.UNREACHABLE);
                silent.add(new Silenced(nodeId, inherited));
            }
        }
        return silent;
    }

    /** When a node stopped being heard from long enough to count as unreachable. */
    Instant unreachableSince(String nodeId) {
        return heardAt(nodeId).plus(settings.nodeTimeout());
    }

    @Override
    public boolean reachable(String nodeId) {
        return cluster.node(nodeId).isPresent() && cluster.mode(nodeId) != NodeAvailability.UNREACHABLE;
    }

    @Override
    public Instant leaseOverAt(String nodeId) {
        Long lease = leases.get(nodeId);
        // A node whose lease is unknown is given the longest any node has, and at least the timeout.
        long millis = lease != null ? lease : Math.max(settings.nodeTimeout().toMillis(),
                leases.values().stream().mapToLong(Long::longValue).max().orElse(0));
        return heardAt(nodeId).plusMillis(millis).plus(settings.leaseMargin());
    }

    /** The node's last word, or when this scheduler went live if that was later. */
    private Instant heardAt(String nodeId) {
        Instant heard = lastHeard.get(nodeId);
        return heard == null || heard.isBefore(liveSince) ? liveSince : heard;
    }
}
