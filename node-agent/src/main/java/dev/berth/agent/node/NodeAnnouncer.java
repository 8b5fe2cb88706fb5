package dev.berth.agent.node;

import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskUsage;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Tells the cluster this node exists: a {@code NodeRegistered} first, then a {@code NodeHeartbeat}
 * every interval with the tasks running now. Everything goes out on the announcer's own thread:
 * {@link #start} never blocks (it may be called from an event loop), and the heartbeat, by which the
 * scheduler tells a live node from a lost one, never waits behind a slow task start or kill.
 */
public final class NodeAnnouncer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeAnnouncer.class);

    private final NodeProfile profile;
    private final Supplier<List<String>> runningTaskIds;
    private final Supplier<Map<String, TaskUsage>> usage;
    private final Consumer<NodeReport> out;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean registered;

    public NodeAnnouncer(NodeProfile profile, Supplier<List<String>> runningTaskIds, Consumer<NodeReport> out) {
        this(profile, runningTaskIds, Map::of, out);
    }

    /** @param usage what each running task uses, as last measured (sent with every report) */
    public NodeAnnouncer(NodeProfile profile, Supplier<List<String>> runningTaskIds,
                         Supplier<Map<String, TaskUsage>> usage, Consumer<NodeReport> out) {
        this.profile = profile;
        this.runningTaskIds = runningTaskIds;
        this.usage = usage;
        this.out = out;
    }

    /** Registers the node at once, then heartbeats every {@code interval}; returns immediately. */
    public void start(Duration interval) {
        timer.scheduleAtFixedRate(this::announce, 0, Math.max(1, interval.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** True once the registration has been handed to the producer. */
    public boolean registered() {
        return registered;
    }

    private void announce() {
        try {
            if (registered) {
                out.accept(profile.heartbeat(runningTaskIds.get(), usage.get()));
            } else {
                // Until a registration has gone out, every tick tries again: a heartbeat from a node
                // the cluster never saw register would carry less meaning than the registration.
                out.accept(profile.registration(runningTaskIds.get(), usage.get()));
                registered = true;
            }
        } catch (RuntimeException e) {
            // One missed beat is survivable; an exception escaping would cancel all later ones.
            LOG.warnf("%s of %s failed: %s", registered ? "heartbeat" : "registration", profile.nodeId(),
                    e.getMessage());
        }
    }

    /** Stops heartbeating (the scheduler will notice the silence). */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
