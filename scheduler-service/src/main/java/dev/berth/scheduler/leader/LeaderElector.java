package dev.berth.scheduler.leader;

import dev.berth.contracts.kafka.KafkaClientFactory;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidSessionTimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Elects one active scheduler among several with Kafka's own group membership, no consensus of our
 * own: every scheduler joins one consumer group subscribed to the single-partition leader topic, and
 * the member that the group coordinator assigns partition 0 is the leader. Nothing is ever written to
 * or read from the topic; only the assignment matters.
 *
 * <ul>
 *   <li>A leader that dies stops heartbeating; after the session timeout the coordinator removes it
 *       and the rebalance gives partition 0 to a standby. A leader that shuts down leaves the group at
 *       once, so the hand-over does not wait for the timeout.</li>
 *   <li>The <em>classic</em> group protocol is chosen on purpose: it lets the client set its own
 *       session timeout and heartbeat interval (bounded by the broker's
 *       {@code group.min.session.timeout.ms}). Under the newer {@code consumer} protocol (KIP-848)
 *       both are broker settings with a 45 s minimum session, far beyond the failover target.</li>
 *   <li>The cooperative sticky assignor keeps partition 0 with its holder when a standby joins or
 *       leaves, so a standby's restart never interrupts the leader. (The default range assignor
 *       revokes everything on every rebalance and may hand the partition to the newcomer.)</li>
 *   <li>Being elected is not what keeps two leaders from acting: a deposed leader may not know yet
 *       that it was deposed (a long pause, a cut connection). The leader writes through a
 *       transactional producer with a fixed transactional id, and the new leader's
 *       {@code initTransactions} fences the old one at the broker. Election keeps the schedulers from
 *       fencing each other back and forth; the fence keeps the log right.</li>
 * </ul>
 *
 * <p>Callbacks run on the elector's own thread. {@link Listener#deposed} may block for a short while:
 * the group does not give the partition to another member until an orderly revocation returns, which
 * is how a leaving leader finishes its last batch before the next one starts.
 */
public final class LeaderElector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaderElector.class);

    /** Told when this member gains or loses the leadership. */
    public interface Listener {
        /** This member now leads, in the given term (see {@link Leadership#term()}). */
        void elected(long term, int generation);

        /**
         * This member no longer leads.
         *
         * @param orderly true when the group revoked it in an orderly rebalance or on leaving (the
         *                partition moves only once this returns); false when it was lost (the session
         *                expired: someone else may already lead)
         */
        void deposed(long term, boolean orderly);
    }

    /**
     * How to reach the group.
     *
     * @param sessionTimeout    how long the coordinator waits for a silent member before it gives the
     *                          leadership away; the broker's {@code group.min.session.timeout.ms} must
     *                          allow it
     * @param heartbeatInterval how often members heartbeat; a standby learns of a rebalance on its next
     *                          heartbeat, so this adds up to one interval to a failover
     */
    public record Settings(String bootstrapServers, String topic, String groupId, String clientId,
                           Duration sessionTimeout, Duration heartbeatInterval) {
        public Settings {
            Objects.requireNonNull(bootstrapServers);
            Objects.requireNonNull(topic);
            Objects.requireNonNull(groupId);
            if (heartbeatInterval.compareTo(sessionTimeout) >= 0) {
                throw new IllegalArgumentException("heartbeat interval " + heartbeatInterval
                        + " must be shorter than the session timeout " + sessionTimeout);
            }
        }
    }

    private final Settings settings;
    private final Listener listener;
    private final Leadership leadership = new Leadership();
    /** The longest session tried when the broker refuses shorter ones (its default maximum is 30 min). */
    private static final Duration MAX_SESSION_TIMEOUT = Duration.ofSeconds(60);

    private volatile boolean running = true;
    private volatile boolean abandoned;
    /** The configured session timeout, or a longer one if the broker refused it. */
    private volatile Duration sessionTimeout;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Instant roleSince = Instant.now();
    private volatile String memberId = "";
    private volatile int generation = -1;
    private Thread thread;

    public LeaderElector(Settings settings, Listener listener) {
        this.settings = settings;
        this.listener = listener;
        this.sessionTimeout = settings.sessionTimeout();
    }

    /** Joins the group on a thread of its own and keeps polling until {@link #close()}. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(this::run, "scheduler-leader-elector");
        thread.setDaemon(true);
        thread.start();
    }

    public boolean leader() {
        return leadership.leader();
    }

    /** True while this member still leads in the given term: a session begun in an older term must stop. */
    public boolean leads(long term) {
        return leadership.leads(term);
    }

    /** The number of the last election this member won (0 before the first); see {@link Leadership#term()}. */
    public long term() {
        return leadership.term();
    }

    /** True once the group has assigned this member its share, so it knows whether it leads. */
    public boolean joined() {
        return leadership.joined();
    }

    /**
     * The session timeout in force: the configured one, or a longer one when the broker refused it
     * ({@code group.min.session.timeout.ms}). A failover after a crash takes about this long.
     */
    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    /** When this member last became leader or standby. */
    public Instant roleSince() {
        return roleSince;
    }

    /** This member's id in the leader group (empty until it joined), for operators matching logs to the group. */
    public String memberId() {
        return memberId;
    }

    /** The group generation of this member's last assignment; -1 before the first. */
    public int generation() {
        return generation;
    }

    private void run() {
        while (running) {
            Duration backoff = Duration.ZERO;
            KafkaConsumer<String, byte[]> kafka = null;
            try {
                kafka = consumer();
                consumer = kafka;
                kafka.subscribe(List.of(settings.topic()), new Callbacks(kafka));
                while (running) {
                    // Rebalance callbacks run inside poll; heartbeats run on the client's own thread.
                    kafka.poll(Duration.ofMillis(200));
                }
            } catch (WakeupException e) {
                // close() woke us up; closing the consumer below leaves the group.
            } catch (InvalidSessionTimeoutException e) {
                // Degrade rather than never elect anyone: a longer session only makes failover slower.
                Duration refused = sessionTimeout;
                sessionTimeout = refused.multipliedBy(2).compareTo(MAX_SESSION_TIMEOUT) > 0
                        ? MAX_SESSION_TIMEOUT : refused.multipliedBy(2);
                LOG.errorf("the broker refuses a leader-group session timeout of %s; trying %s, so a failover "
                        + "after a crash will take that long. Set the brokers' group.min.session.timeout.ms to at "
                        + "most %s (docs/operations.md)", refused, sessionTimeout, settings.sessionTimeout());
                backoff = Duration.ofMillis(100);
            } catch (RuntimeException e) {
                LOG.errorf(e, "leader elector failed: %s; rejoining", e.getMessage());
                backoff = Duration.ofSeconds(1);
            } finally {
                consumer = null;
                if (kafka != null) {
                    close(kafka);
                }
                // Closing revoked partition 0 through the callbacks already; this covers a consumer that
                // failed before it could: whatever it held is no longer ours.
                report(leadership.left(), false);
            }
            pause(backoff);
        }
    }

    /**
     * Leaving revokes partition 0 through the callbacks, so a leader stops before anyone else is
     * elected. A simulated crash stays in the group and goes silent instead.
     */
    private void close(KafkaConsumer<String, byte[]> kafka) {
        try {
            kafka.close(abandoned
                    ? CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                    : CloseOptions.timeout(Duration.ofSeconds(30)));
        } catch (RuntimeException e) {
            LOG.warnf("closing the leader-group consumer failed: %s", e.getMessage());
        }
    }

    /** Leaves the group: a leader hands over at once instead of after the session timeout. */
    @Override
    public void close() {
        stop();
    }

    /**
     * For tests: stops like a crashed process, without leaving the group, so the others wait for the
     * session timeout as they would after a {@code kill -9}.
     */
    void abandon() {
        abandoned = true;
        stop();
    }

    private void stop() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(35));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Callbacks implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> kafka;

        Callbacks(KafkaConsumer<String, byte[]> kafka) {
            this.kafka = kafka;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            boolean wasJoined = leadership.joined();
            generation = kafka.groupMetadata().generationId();
            memberId = kafka.groupMetadata().memberId();
            Leadership.Change change = leadership.assigned(numbers(partitions));
            if (change == Leadership.Change.NONE && !wasJoined) {
                LOG.infof("standby: joined leader group %s as %s (generation %d)", settings.groupId(), memberId,
                        generation);
                roleSince = Instant.now();
            }
            report(change, false);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            report(leadership.revoked(numbers(partitions)), true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warnf("left leader group %s: membership %s expired or was fenced", settings.groupId(), memberId);
            report(leadership.lost(numbers(partitions)), false);
        }
    }

    private void report(Leadership.Change change, boolean orderly) {
        Instant now = Instant.now();
        long held = Duration.between(roleSince, now).toMillis();
        switch (change) {
            case ELECTED -> {
                roleSince = now;
                LOG.infof("became leader: term %d, generation %d, member %s (after %d ms waiting)",
                        leadership.term(), generation, memberId, held);
                listener.elected(leadership.term(), generation);
            }
            case DEPOSED -> {
                roleSince = now;
                LOG.warnf("lost leadership (%s) after %d ms as leader, term %d",
                        orderly ? "revoked" : "session lost", held, leadership.term());
                listener.deposed(leadership.term(), orderly);
                LOG.infof("lost leadership: stopped acting %d ms after it was taken away",
                        Duration.between(now, Instant.now()).toMillis());
            }
            case NONE -> {
            }
        }
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).toList();
    }

    /**
     * A plain consumer ({@code contracts}' {@link KafkaClientFactory}): the election is group membership
     * itself (who holds the topic's one partition, with a session timeout short enough for a failover in
     * seconds), which the connector's channels hide behind their own group handling. It reads no record.
     */
    private KafkaConsumer<String, byte[]> consumer() {
        return KafkaClientFactory.consumer(settings.bootstrapServers(), settings.clientId())
                .group(settings.groupId())
                // Classic, not KIP-848 "consumer": only classic lets the client choose a session timeout
                // short enough for a failover in seconds (see the class comment).
                .set(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic")
                .set(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis())
                .set(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) settings.heartbeatInterval().toMillis())
                .set(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName())
                // Also the rebalance timeout: how long a rebalance waits for members that stopped polling.
                // The elector's thread does nothing but poll, so a short one costs nothing and bounds a
                // stuck member.
                .set(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 15_000)
                .create();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
