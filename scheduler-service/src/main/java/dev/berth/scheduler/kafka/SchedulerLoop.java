package dev.berth.scheduler.kafka;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.scheduler.core.Action;
import dev.berth.scheduler.core.SchedulerCore;
import dev.berth.scheduler.core.SchedulerSettings;
import dev.berth.scheduler.leader.LeaderElector;
import dev.berth.scheduler.leader.Role;
import dev.berth.scheduler.placement.PlacementEngine;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler's Kafka edge: one thread that, while this process leads, rebuilds {@link SchedulerCore}
 * from the compacted topics, then feeds it app commands, task status, node reports, node admin
 * commands and volume events, and commits what it decides.
 *
 * <p>Each batch is one Kafka transaction: the state records, node commands, volume commands, the public
 * events announcing the changes, the replies to app commands and the apps' versions, dead letters and
 * the input offsets commit together, so a crash either replays a whole batch or none of it, and no
 * command is acted on twice. If a commit fails the session is thrown away and rebuilt from Kafka,
 * because the in-memory state may be ahead of what was committed.
 *
 * <p>High availability: several schedulers run, and a {@link LeaderElector} (Kafka group membership)
 * picks the one that acts. The others stand by without reading anything. On election a session
 * starts: {@code initTransactions} with the fixed transactional id fences the previous leader at the
 * broker and aborts whatever transaction it left open, and only then is the state read, so it
 * contains every batch the previous leader committed and nothing it did not. On deposition the
 * session stops at once: the batch in hand is dropped uncommitted (the next leader reads its inputs
 * again), and a deposed leader that does not know it yet is fenced at its next commit.
 */
@ApplicationScoped
public class SchedulerLoop {
    private static final Logger LOG = Logger.getLogger(SchedulerLoop.class);
    private static final String CONSUMER_NAME = "scheduler";
    /** At most this many input records go into one transaction. */
    private static final int MAX_BATCH = 5000;
    /** How long an orderly hand-over waits for the batch in hand to finish before letting go anyway. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    @Inject
    SchedulerConfig config;

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
        elector = new LeaderElector(new LeaderElector.Settings(bootstrapServers, Topics.SCHEDULER_LEADER,
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
    public Role role() {
        LeaderElector current = elector;
        if (current == null) {
            return Role.STARTING;
        }
        if (current.leader()) {
            return ready ? Role.ACTIVE : Role.ACTIVATING;
        }
        return current.joined() ? Role.STANDBY : Role.STARTING;
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

    private void runSession(long term) {
        synchronized (monitor) {
            sessionActive = true;
        }
        SchedulerCore core = new SchedulerCore(settings(), new PlacementEngine(config.placementStrategy()));
        lastCommitted.clear();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig());
             KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig())) {
            consumer = kafka;
            if (!elector.leads(term)) {
                return;
            }
            Instant started = Instant.now();
            // Before reading any state: this fences the previous leader and aborts its open transaction,
            // so what we read next is final.
            producer.initTransactions();
            List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
            Map<TopicPartition, Long> livePositions = rebuild(kafka, core, deadLetters);
            List<TopicPartition> inputs = assignInputs(kafka, livePositions);
            if (!elector.leads(term)) {
                return;
            }
            if (!deadLetters.isEmpty()) {
                commit(producer, deadLetters, Map.of());
            }
            ready = true;
            Instant now = Instant.now();
            LOG.infof("active: state rebuilt from Kafka in %d ms (%d tasks), %d ms after becoming leader",
                    Duration.between(started, now).toMillis(), core.tasks().size(),
                    Duration.between(electedAt, now).toMillis());
            Instant nextTick = Instant.now();
            while (running && elector.leads(term)) {
                List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
                // Under load, gather what arrives within a short window into one transaction: each
                // commit costs the broker markers on every partition written, whatever its size.
                ConsumerRecords<String, byte[]> records = kafka.poll(Duration.ofMillis(100));
                long windowEnd = System.nanoTime() + config.batchWindow().toNanos();
                int handled = 0;
                while (!records.isEmpty()) {
                    for (ConsumerRecord<String, byte[]> record : records) {
                        handle(core, record, out);
                    }
                    handled += records.count();
                    if (handled >= MAX_BATCH || System.nanoTime() >= windowEnd || !elector.leads(term)) {
                        break;
                    }
                    records = kafka.poll(Duration.ofMillis(1));
                }
                now = Instant.now();
                if (!now.isBefore(nextTick)) {
                    core.tick(now).forEach(a -> out.add(toRecord(a)));
                    nextTick = now.plus(config.tickInterval());
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (TopicPartition tp : inputs) {
                    offsets.put(tp, new OffsetAndMetadata(kafka.position(tp)));
                }
                // Deposed while deciding: drop the batch uncommitted. Its inputs stay unacknowledged, so
                // the next leader decides them again from the state it reads.
                if (!elector.leads(term)) {
                    break;
                }
                if (!out.isEmpty() || offsetsMoved(kafka, offsets)) {
                    commit(producer, latestHistoriesOnly(out), offsets);
                }
            }
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

    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();

    private boolean offsetsMoved(KafkaConsumer<String, byte[]> kafka, Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (var entry : offsets.entrySet()) {
            if (!Long.valueOf(entry.getValue().offset()).equals(lastCommitted.get(entry.getKey()))) {
                return true;
            }
        }
        return false;
    }

    private void commit(KafkaProducer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records,
                        Map<TopicPartition, OffsetAndMetadata> offsets) {
        producer.beginTransaction();
        try {
            records.forEach(producer::send);
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(config.groupId()));
            }
            producer.commitTransaction();
            offsets.forEach((tp, o) -> lastCommitted.put(tp, o.offset()));
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }

    /**
     * Reads the compacted state topics, node reports and node admin commands from the beginning up to
     * their current end, and volume events up to where the previous leader had acted on them (their
     * offset is committed with each batch, so an event that arrived after its last commit is acted on
     * live, not merely restored). Returns where node-status, node-admin and volume-events reading
     * should continue.
     */
    private Map<TopicPartition, Long> rebuild(KafkaConsumer<String, byte[]> kafka, SchedulerCore core,
                                              List<ProducerRecord<String, byte[]>> deadLetters) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.APPS, Topics.TASKS, Topics.QUEUE, Topics.NODE_STATUS, Topics.NODE_ADMIN,
                Topics.VOLUME_EVENTS, Topics.DEPLOYMENTS, Topics.APP_VERSIONS, Topics.TASK_HISTORY)) {
            kafka.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        kafka.assign(partitions);
        kafka.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(kafka.endOffsets(partitions));
        Set<TopicPartition> volumeEvents = Set.copyOf(partitions.stream()
                .filter(tp -> tp.topic().equals(Topics.VOLUME_EVENTS)).toList());
        // Never acted on by any leader (a first start): all of it is history, restored, not acted on.
        kafka.committed(volumeEvents).forEach((tp, offset) -> {
            if (offset != null) {
                end.put(tp, Math.min(offset.offset(), end.get(tp)));
            }
        });
        while (partitions.stream().anyMatch(tp -> kafka.position(tp) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (volumeEvents.contains(tp) && record.offset() >= end.get(tp)) {
                    continue;
                }
                try {
                    restore(core, record);
                } catch (MalformedMessageException e) {
                    deadLetters.add(DeadLetters.of(record, CONSUMER_NAME, e.getMessage()));
                }
            }
        }
        Map<TopicPartition, Long> live = new HashMap<>();
        partitions.stream().filter(tp -> LIVE_TOPICS.contains(tp.topic()))
                .forEach(tp -> live.put(tp, kafka.position(tp)));
        volumeEvents.forEach(tp -> live.put(tp, end.get(tp)));
        return live;
    }

    /** Compacted topics read from the start on rebuild and then followed, without committed offsets. */
    private static final Set<String> LIVE_TOPICS = Set.of(Topics.NODE_STATUS, Topics.NODE_ADMIN);

    private static void restore(SchedulerCore core, ConsumerRecord<String, byte[]> record) {
        String topic = record.topic();
        if (topic.equals(Topics.APPS)) {
            if (record.value() == null) {
                core.forgetApp(record.key());
            } else {
                core.restoreApp(JsonCodec.decode(record.value(), AppState.class));
            }
        } else if (topic.equals(Topics.TASKS)) {
            if (record.value() == null) {
                core.forgetTask(record.key());
            } else {
                core.restoreTask(JsonCodec.decode(record.value(), TaskRecord.class));
            }
        } else if (topic.equals(Topics.QUEUE)) {
            // What the previous leader said waits: entries of apps now settled are withdrawn.
            if (record.value() == null) {
                core.forgetQueue(record.key());
            } else {
                core.restoreQueue(JsonCodec.decode(record.value(), AppQueue.class));
            }
        } else if (topic.equals(Topics.DEPLOYMENTS)) {
            // Unfinished deployments are carried on where the previous leader left them.
            if (record.value() == null) {
                core.forgetDeployment(record.key());
            } else {
                core.restoreDeployment(JsonCodec.decode(record.value(), Deployment.class));
            }
        } else if (topic.equals(Topics.APP_VERSIONS)) {
            // Old definitions: what a rollback restores, and what old tasks run during a deployment.
            if (record.value() != null) {
                core.restoreVersion(JsonCodec.decode(record.value(), AppVersion.class));
            } else if (record.key() != null && record.key().lastIndexOf('@') > 0) {
                int at = record.key().lastIndexOf('@');
                try {
                    core.forgetVersion(record.key().substring(0, at), Long.parseLong(record.key().substring(at + 1)));
                } catch (NumberFormatException ignored) {
                    // Not a key this scheduler wrote: nothing to forget.
                }
            }
        } else if (topic.equals(Topics.TASK_HISTORY)) {
            // Failures and restarts count on from where the previous leader left them.
            if (record.value() == null) {
                core.forgetHistory(record.key());
            } else {
                core.restoreHistory(JsonCodec.decode(record.value(), AppTaskHistory.class));
            }
        } else if (topic.equals(Topics.NODE_STATUS) && record.value() != null) {
            core.restoreNode(JsonCodec.decode(record.value(), NodeReport.class));
        } else if (topic.equals(Topics.NODE_ADMIN) && record.value() != null) {
            core.restoreNodeAdmin(JsonCodec.decode(record.value(), NodeAdminCommand.class));
        } else if (topic.equals(Topics.VOLUME_EVENTS)) {
            if (record.value() == null) {
                core.forgetVolume(record.key());
            } else {
                core.restoreVolume(JsonCodec.decode(record.value(), VolumeEvent.class));
            }
        }
    }

    /**
     * Switches the consumer to its inputs: commands and status from committed offsets; node reports,
     * node admin commands and volume events onward from where the rebuild stopped. Offsets of
     * commands, status and volume events are committed with each batch.
     */
    private List<TopicPartition> assignInputs(KafkaConsumer<String, byte[]> kafka,
                                              Map<TopicPartition, Long> livePositions) {
        List<TopicPartition> inputs = new ArrayList<>();
        for (String topic : List.of(Topics.APP_COMMANDS, Topics.TASK_STATUS, Topics.VOLUME_EVENTS)) {
            kafka.partitionsFor(topic).forEach(p -> inputs.add(new TopicPartition(topic, p.partition())));
        }
        Set<TopicPartition> all = new LinkedHashSet<>(inputs);
        all.addAll(livePositions.keySet());
        kafka.assign(all);
        livePositions.forEach(kafka::seek);
        Map<TopicPartition, OffsetAndMetadata> committed = kafka.committed(Set.copyOf(inputs));
        for (TopicPartition tp : inputs) {
            OffsetAndMetadata offset = committed.get(tp);
            if (livePositions.containsKey(tp)) {
                // Volume events: positioned by the rebuild already.
                if (offset != null) {
                    lastCommitted.put(tp, offset.offset());
                }
            } else if (offset == null) {
                kafka.seekToBeginning(List.of(tp));
            } else {
                kafka.seek(tp, offset.offset());
                lastCommitted.put(tp, offset.offset());
            }
        }
        return inputs;
    }

    private void handle(SchedulerCore core, ConsumerRecord<String, byte[]> record,
                        List<ProducerRecord<String, byte[]>> out) {
        Instant now = Instant.now();
        try {
            String topic = record.topic();
            List<Action> actions = List.of();
            if (topic.equals(Topics.APP_COMMANDS)) {
                actions = core.handle(JsonCodec.decode(record.value(), AppCommand.class), now);
            } else if (topic.equals(Topics.TASK_STATUS)) {
                actions = core.handle(JsonCodec.decode(record.value(), TaskStatus.class), now);
            } else if (topic.equals(Topics.NODE_STATUS) && record.value() != null) {
                actions = core.observe(JsonCodec.decode(record.value(), NodeReport.class), now);
            } else if (topic.equals(Topics.NODE_ADMIN) && record.value() != null) {
                actions = core.handle(JsonCodec.decode(record.value(), NodeAdminCommand.class), now);
            } else if (topic.equals(Topics.VOLUME_EVENTS)) {
                if (record.value() == null) {
                    core.forgetVolume(record.key());
                } else {
                    actions = core.handle(JsonCodec.decode(record.value(), VolumeEvent.class), now);
                }
            }
            actions.forEach(a -> out.add(toRecord(a)));
        } catch (MalformedMessageException e) {
            LOG.warnf("dead-lettering %s[%d]@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            out.add(DeadLetters.of(record, CONSUMER_NAME, e.getMessage()));
        }
    }

    /**
     * The batch without task histories a later one in it replaces: an app's history is rewritten with
     * every end, and its compacted topic keeps only the last anyway, so deleting 1000 tasks in one
     * batch writes one history, not 1000.
     */
    static List<ProducerRecord<String, byte[]>> latestHistoriesOnly(List<ProducerRecord<String, byte[]>> out) {
        Set<String> later = new java.util.HashSet<>();
        List<ProducerRecord<String, byte[]>> kept = new ArrayList<>(out.size());
        for (int i = out.size() - 1; i >= 0; i--) {
            ProducerRecord<String, byte[]> record = out.get(i);
            if (!record.topic().equals(Topics.TASK_HISTORY) || later.add(record.key())) {
                kept.add(record);
            }
        }
        java.util.Collections.reverse(kept);
        return kept;
    }

    private static ProducerRecord<String, byte[]> toRecord(Action action) {
        if (action instanceof Action.RecordApp a) {
            return new ProducerRecord<>(Topics.APPS, a.app().appId(), JsonCodec.encodeBytes(a.app()));
        } else if (action instanceof Action.RemoveApp a) {
            return new ProducerRecord<>(Topics.APPS, a.appId(), null);
        } else if (action instanceof Action.RecordTask a) {
            return new ProducerRecord<>(Topics.TASKS, a.task().taskId(), JsonCodec.encodeBytes(a.task()));
        } else if (action instanceof Action.RemoveTask a) {
            return new ProducerRecord<>(Topics.TASKS, a.taskId(), null);
        } else if (action instanceof Action.SendToNode a) {
            return new ProducerRecord<>(Topics.NODE_COMMANDS, a.command().nodeId(), JsonCodec.encodeBytes(a.command()));
        } else if (action instanceof Action.RecordQueue a) {
            return new ProducerRecord<>(Topics.QUEUE, a.queue().appId(), JsonCodec.encodeBytes(a.queue()));
        } else if (action instanceof Action.RemoveQueue a) {
            return new ProducerRecord<>(Topics.QUEUE, a.appId(), null);
        } else if (action instanceof Action.SendToVolumes a) {
            return new ProducerRecord<>(Topics.VOLUME_COMMANDS, a.command().volumeId(),
                    JsonCodec.encodeBytes(a.command()));
        } else if (action instanceof Action.Announce a) {
            // Keyed by subject: on a keyed topic the events about one thing stay in order for any reader.
            return new ProducerRecord<>(Topics.EVENTS, a.event().subject(), JsonCodec.encodeBytes(a.event()));
        } else if (action instanceof Action.Reply a) {
            // Keyed by the command's id: the gateway waits for exactly that key.
            return new ProducerRecord<>(Topics.COMMAND_REPLIES, a.reply().commandId(), JsonCodec.encodeBytes(a.reply()));
        } else if (action instanceof Action.RecordVersion a) {
            return new ProducerRecord<>(Topics.APP_VERSIONS, Topics.appVersionKey(a.version().appId(),
                    a.version().version()), JsonCodec.encodeBytes(a.version()));
        } else if (action instanceof Action.RecordDeployment a) {
            return new ProducerRecord<>(Topics.DEPLOYMENTS, a.deployment().deploymentId(),
                    JsonCodec.encodeBytes(a.deployment()));
        } else if (action instanceof Action.RemoveDeployment a) {
            return new ProducerRecord<>(Topics.DEPLOYMENTS, a.deploymentId(), null);
        } else if (action instanceof Action.RecordHistory a) {
            return new ProducerRecord<>(Topics.TASK_HISTORY, a.history().appId(), JsonCodec.encodeBytes(a.history()));
        } else if (action instanceof Action.RemoveHistory a) {
            return new ProducerRecord<>(Topics.TASK_HISTORY, a.appId(), null);
        } else if (action instanceof Action.RemoveVersion a) {
            return new ProducerRecord<>(Topics.APP_VERSIONS, Topics.appVersionKey(a.appId(), a.version()), null);
        }
        throw new IllegalArgumentException("unknown action " + action);
    }

    private Map<String, Object> producerConfig() {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                // Batches are small and latency matters more than throughput here.
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    }

    private Map<String, Object> consumerConfig() {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // Only what a committed transaction wrote counts as state.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // A read_committed fetch can be held until fetch.max.wait.ms (500 ms by default) before the
                // transaction it waits on is seen committed: that wait would be most of a launch's latency.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
