package dev.berth.scheduler.leader;

import dev.berth.contracts.Topics;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.trace.RecordTracing;
import dev.berth.scheduler.core.SchedulerCore;
import dev.berth.scheduler.core.SchedulerSettings;
import dev.berth.scheduler.kafka.KafkaClients;
import dev.berth.scheduler.kafka.SchedulerConfig;
import dev.berth.scheduler.kafka.SchedulerLoop;
import dev.berth.scheduler.metrics.SchedulerMetrics;
import dev.berth.scheduler.placement.PlacementEngine;
import dev.berth.scheduler.rebuild.StateRebuild;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Follows the {@link LeaderElector} and runs one scheduler session per term won: while this process
 * leads, one thread rebuilds a fresh {@link SchedulerCore} from the compacted topics
 * ({@link StateRebuild}) and then runs the transaction loop ({@link SchedulerLoop}) over it.
 *
 * <p>Why it is built this way (high availability): several schedulers run, and the elector (Kafka group
 * membership) picks the one that acts. The others stand by without reading anything. On election a
 * session starts: {@code initTransactions} with the fixed transactional id fences the previous leader
 * at the broker and aborts whatever transaction it left open, and only then is the state read, so it
 * contains every batch the previous leader committed and nothing it did not. On deposition the session
 * stops at once: the batch in hand is dropped uncommitted (the next leader reads its inputs again), and
 * a deposed leader that does not know it yet is fenced at its next commit. A session that fails is
 * thrown away and the next one rebuilds from Kafka, because the in-memory state may be ahead of what
 * was committed.
 */
@ApplicationScoped
public class LeaderSessions {
    // Logs under the loop's category, as it did before the loop and its leadership were two classes:
    // operators' log filters on it keep matching.
    private static final Logger LOG = Logger.getLogger(SchedulerLoop.class);
    /** How long an orderly hand-over waits for the batch in hand to finish before letting go anyway. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    @Inject
    SchedulerConfig config;

    @Inject
    SchedulerMetrics metrics;

    /** Quarkus's tracer, used only when BERTH_OTLP_ENDPOINT turned tracing on (RecordTracing.of). */
    @Inject
    Tracer tracer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Instant electedAt = Instant.now();
    private volatile LeaderElector elector;
    /** Guards {@link #sessionActive}; waited on for elections and for a session to end. */
    private final Object monitor = new Object();
    private boolean sessionActive;
    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        elector = new LeaderElector(new LeaderElector.Settings(bootstrapServers, Topics.SCHEDULER_LEADER.name(),
                config.leaderGroupId(), clientId(), config.leaderSessionTimeout(), config.leaderHeartbeatInterval()),
                new LeaderElector.Listener() {
                    @Override
                    public void elected(long term, int generation) {
                        electedAt = Instant.now();
                        synchronized (monitor) {
                            monitor.notifyAll();
                        }
                    }

                    @Override
                    public void deposed(long term, boolean orderly) {
                        stopActing();
                    }
                });
        thread = new Thread(this::runSessions, "scheduler-loop");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        // Stop acting first, then leave the group: the standby is elected at once and finds every batch
        // this one committed, instead of waiting out the session timeout.
        running = false;
        wakeUp();
        synchronized (monitor) {
            monitor.notifyAll();
        }
        thread.join(TimeUnit.SECONDS.toMillis(10));
        elector.close();
    }

    /** True once state is rebuilt and commands are being processed (only ever on the leader). */
    public boolean ready() {
        return ready;
    }

    /** What this process does right now: standing by, taking over, or acting. */
    public SchedulerRole role() {
        LeaderElector current = elector;
        if (current == null) {
            return SchedulerRole.STARTING;
        }
        if (current.leader()) {
            return ready ? SchedulerRole.ACTIVE : SchedulerRole.ACTIVATING;
        }
        return current.joined() ? SchedulerRole.STANDBY : SchedulerRole.STARTING;
    }

    /** Since when this process has had its current role (as leader or standby). */
    public Instant roleSince() {
        LeaderElector current = elector;
        return current == null ? Instant.EPOCH : current.roleSince();
    }

    /** The leader elector, for the role endpoint; null before start. */
    public LeaderElector elector() {
        return elector;
    }

    private void runSessions() {
        ensureTopics();
        if (!running) {
            return;
        }
        // Joins only once the leader topic exists: a subscription to a missing topic gets no partition.
        elector.start();
        while (running) {
            long term = awaitLeadership();
            if (term < 0) {
                return;
            }
            Duration backoff = Duration.ZERO;
            try {
                runSession(term);
            } catch (WakeupException e) {
                if (running && elector.leads(term)) {
                    LOG.warn("scheduler loop woken up unexpectedly; restarting");
                }
            } catch (RuntimeException e) {
                if (fenced(e)) {
                    // Another scheduler took the transactional id: it was elected and this one was deposed
                    // without hearing of it yet. The group tells us within a session timeout; starting again
                    // sooner would fence the new leader in turn.
                    LOG.warnf("fenced by another scheduler (transactional id %s): stopped acting; waiting %s "
                                    + "for the leader group to settle", config.transactionalId(),
                            config.leaderSessionTimeout());
                    backoff = config.leaderSessionTimeout();
                } else {
                    LOG.errorf(e, "scheduler session ended: %s; rebuilding from Kafka", e.getMessage());
                    backoff = Duration.ofSeconds(1);
                }
            } finally {
                // Before any wait: a deposition waits for the session to have ended, not for the backoff.
                endSession();
            }
            pause(backoff);
        }
    }

    /** Waits until this process leads (returns the term) or stops (returns -1). */
    private long awaitLeadership() {
        synchronized (monitor) {
            while (running && !elector.leader()) {
                try {
                    monitor.wait(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            return running ? elector.term() : -1;
        }
    }

    /** Called by the elector when leadership goes: stop now, and wait (bounded) until the session has ended. */
    private void stopActing() {
        ready = false;
        wakeUp();
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        synchronized (monitor) {
            while (sessionActive) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    LOG.warnf("the scheduler session did not stop within %s; letting go anyway (fencing keeps "
                            + "its late writes out)", STOP_TIMEOUT);
                    return;
                }
                try {
                    monitor.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void endSession() {
        ready = false;
        metrics.standingBy();
        consumer = null;
        synchronized (monitor) {
            sessionActive = false;
            monitor.notifyAll();
        }
    }

    private void wakeUp() {
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    private void ensureTopics() {
        while (running) {
            try {
                TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
                return;
            } catch (RuntimeException e) {
                LOG.errorf("cannot create or check Berth's topics: %s; retrying", e.getMessage());
                pause(Duration.ofSeconds(1));
            }
        }
    }

    /** One term as leader: fence the previous leader, rebuild, then act until deposed or stopped. */
    private void runSession(long term) {
        synchronized (monitor) {
            sessionActive = true;
        }
        SchedulerCore core = new SchedulerCore(settings(), new PlacementEngine(config.placementStrategy()));
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrapServers, config);
             KafkaConsumer<String, byte[]> kafka = KafkaClients.consumer(bootstrapServers, config);
             KafkaClientMetrics consumerMetrics = metrics.watch(kafka)) {
            consumer = kafka;
            if (!elector.leads(term)) {
                return;
            }
            Instant started = Instant.now();
            // Before reading any state: this fences the previous leader and aborts its open transaction,
            // so what we read next is final.
            producer.initTransactions();
            SchedulerLoop loop = new SchedulerLoop(config, producer, kafka, core, metrics,
                    RecordTracing.of(tracer));
            List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
            Map<TopicPartition, Long> livePositions =
                    StateRebuild.rebuild(kafka, core, deadLetters, SchedulerLoop.CONSUMER_NAME);
            loop.assignInputs(livePositions);
            if (!elector.leads(term)) {
                return;
            }
            if (!deadLetters.isEmpty()) {
                loop.commitAlone(deadLetters);
                deadLetters.forEach(d -> metrics.deadLettered(DeadLetters.sourceTopic(d)));
            }
            ready = true;
            Instant now = Instant.now();
            metrics.acting(core, Duration.between(started, now));
            LOG.infof("active: state rebuilt from Kafka in %d ms (%d tasks), %d ms after becoming leader",
                    Duration.between(started, now).toMillis(), core.tasks().size(),
                    Duration.between(electedAt, now).toMillis());
            loop.run(() -> running, () -> elector.leads(term));
        }
    }

    private SchedulerSettings settings() {
        return new SchedulerSettings(config.nodeTimeout(), config.backoffResetAfter(), config.missingTaskGrace(),
                (int) config.killGracePeriod().toSeconds(), config.leaseMargin(), config.endedTasksKept());
    }

    private static boolean fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private static String clientId() {
        String host = System.getenv().getOrDefault("HOSTNAME", "");
        return "berth-scheduler-" + (host.isBlank() ? "" : host + "-") + ProcessHandle.current().pid();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
