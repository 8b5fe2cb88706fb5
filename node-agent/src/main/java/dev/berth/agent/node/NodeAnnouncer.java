package dev.berth.agent.node;

import dev.berth.agent.volumes.NodeLease;
import dev.berth.contracts.messages.NodeImage;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskUsage;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>Each report the broker acknowledges renews the node's lease ({@link NodeLease}), counted from the
 * clock read <em>before</em> the report was handed over: the scheduler hears it later than that, so the
 * lease it counts always ends after the node's own.
 */
public final class NodeAnnouncer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeAnnouncer.class);

    private final NodeProfile profile;
    private final Supplier<List<String>> runningTaskIds;
    private final Supplier<Map<String, TaskUsage>> usage;
    private final Supplier<List<NodeImage>> images;
    private final ReportSender out;
    private final Optional<NodeLease> lease;
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
        this(profile, runningTaskIds, usage, (report, acknowledged) -> out.accept(report), Optional.empty());
    }

    /**
     * @param out   sends a report, and calls back once the broker has acknowledged it
     * @param lease renewed on each acknowledgement
     */
    public NodeAnnouncer(NodeProfile profile, Supplier<List<String>> runningTaskIds,
                         Supplier<Map<String, TaskUsage>> usage, ReportSender out, Optional<NodeLease> lease) {
        this(profile, runningTaskIds, usage, List::of, out, lease);
    }

    /** @param images the node's cached images (sent with every report) */
    public NodeAnnouncer(NodeProfile profile, Supplier<List<String>> runningTaskIds,
                         Supplier<Map<String, TaskUsage>> usage, Supplier<List<NodeImage>> images, ReportSender out,
                         Optional<NodeLease> lease) {
        this.profile = profile;
        this.runningTaskIds = runningTaskIds;
        this.usage = usage;
        this.images = images;
        this.out = out;
        this.lease = lease;
    }

    /** Hands a report to the broker; {@code acknowledged} runs once the broker has it (never if it fails). */
    @FunctionalInterface
    public interface ReportSender {
        void send(NodeReport report, Runnable acknowledged);
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
            long sentAt = lease.isPresent() ? NodeLease.clock() : 0;
            Runnable acknowledged = () -> renew(sentAt);
            if (registered) {
                out.send(profile.heartbeat(runningTaskIds.get(), usage.get(), images.get()), acknowledged);
            } else {
                // Until a registration has gone out, every tick tries again: a heartbeat from a node
                // the cluster never saw register would carry less meaning than the registration.
                out.send(profile.registration(runningTaskIds.get(), usage.get(), images.get()), acknowledged);
                registered = true;
            }
        } catch (RuntimeException e) {
            // One missed beat is survivable; an exception escaping would cancel all later ones.
            LOG.warnf("%s of %s failed: %s", registered ? "heartbeat" : "registration", profile.nodeId(),
                    e.getMessage());
        }
    }

    /** Runs on the producer's thread: one small file replaced, nothing that could hold it up. */
    private void renew(long sentAt) {
        lease.ifPresent(l -> {
            try {
                l.renewFrom(sentAt);
            } catch (IOException | RuntimeException e) {
                // The tasks' watchdogs will stop them when the lease runs out: say why.
                LOG.errorf("cannot renew the node's lease in %s: %s", l.file(), e);
            }
        });
    }

    /** Stops heartbeating (the scheduler will notice the silence). */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
