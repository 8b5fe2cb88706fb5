package dev.berth.scheduler.kafka;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.scheduler.core.Action;
import dev.berth.scheduler.core.SchedulerCore;
import dev.berth.scheduler.core.SchedulerSettings;
import dev.berth.scheduler.placement.Filters;
import dev.berth.scheduler.placement.FirstFitPlacer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler's Kafka edge: one thread that rebuilds {@link SchedulerCore} from the compacted
 * topics, then feeds it app commands, task status and node reports, and commits what it decides.
 *
 * <p>Each batch is one Kafka transaction: the state records, node commands, dead letters and the
 * input offsets commit together, so a crash either replays a whole batch or none of it, and no
 * command is acted on twice. The fixed transactional id means a second scheduler that starts
 * fences this one; if that happens (or any commit fails) the session is thrown away and rebuilt
 * from Kafka, because the in-memory state may be ahead of what was committed.
 */
@ApplicationScoped
public class SchedulerLoop {
    private static final Logger LOG = Logger.getLogger(SchedulerLoop.class);
    private static final String CONSUMER_NAME = "scheduler";

    @Inject
    SchedulerConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        thread = new Thread(this::runSessions, "scheduler-loop");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }

    /** True once state is rebuilt and commands are being processed. */
    public boolean ready() {
        return ready;
    }

    private void runSessions() {
        while (running) {
            try {
                runSession();
            } catch (WakeupException e) {
                if (running) {
                    LOG.warn("scheduler loop woken up unexpectedly; restarting");
                }
            } catch (RuntimeException e) {
                ready = false;
                LOG.errorf(e, "scheduler session ended: %s; rebuilding from Kafka", e.getMessage());
                pause(Duration.ofSeconds(1));
            }
        }
    }

    private void runSession() {
        TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
        SchedulerCore core = new SchedulerCore(
                new SchedulerSettings(config.nodeTimeout(), config.killGracePeriod(), config.relaunchDelay()),
                new FirstFitPlacer(Filters.defaults()));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig());
             KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig())) {
            consumer = kafka;
            producer.initTransactions();
            List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
            Map<TopicPartition, Long> nodeStatusPositions = rebuild(kafka, core, deadLetters);
            List<TopicPartition> inputs = assignInputs(kafka, nodeStatusPositions);
            if (!deadLetters.isEmpty()) {
                commit(producer, deadLetters, Map.of());
            }
            ready = true;
            LOG.infof("scheduler ready: state rebuilt from Kafka (%d tasks)", core.tasks().size());
            Instant nextTick = Instant.now();
            while (running) {
                List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(100))) {
                    handle(core, record, out);
                }
                Instant now = Instant.now();
                if (!now.isBefore(nextTick)) {
                    core.tick(now).forEach(a -> out.add(toRecord(a)));
                    nextTick = now.plus(config.tickInterval());
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (TopicPartition tp : inputs) {
                    offsets.put(tp, new OffsetAndMetadata(kafka.position(tp)));
                }
                if (!out.isEmpty() || offsetsMoved(kafka, offsets)) {
                    commit(producer, out, offsets);
                }
            }
        } finally {
            ready = false;
            consumer = null;
        }
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
     * Reads the compacted state topics and node reports from the beginning up to their current end,
     * and returns where node-status reading should continue.
     */
    private Map<TopicPartition, Long> rebuild(KafkaConsumer<String, byte[]> kafka, SchedulerCore core,
                                              List<ProducerRecord<String, byte[]>> deadLetters) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.APPS, Topics.TASKS, Topics.NODE_STATUS)) {
            kafka.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        kafka.assign(partitions);
        kafka.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = kafka.endOffsets(partitions);
        while (partitions.stream().anyMatch(tp -> kafka.position(tp) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(200))) {
                try {
                    restore(core, record);
                } catch (MalformedMessageException e) {
                    deadLetters.add(DeadLetters.of(record, CONSUMER_NAME, e.getMessage()));
                }
            }
        }
        Map<TopicPartition, Long> nodeStatus = new HashMap<>();
        partitions.stream().filter(tp -> tp.topic().equals(Topics.NODE_STATUS))
                .forEach(tp -> nodeStatus.put(tp, kafka.position(tp)));
        return nodeStatus;
    }

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
        } else if (topic.equals(Topics.NODE_STATUS) && record.value() != null) {
            core.restoreNode(JsonCodec.decode(record.value(), NodeReport.class));
        }
    }

    /** Switches the consumer to its inputs: commands and status from committed offsets, node reports onward. */
    private List<TopicPartition> assignInputs(KafkaConsumer<String, byte[]> kafka,
                                              Map<TopicPartition, Long> nodeStatusPositions) {
        List<TopicPartition> inputs = new ArrayList<>();
        for (String topic : List.of(Topics.APP_COMMANDS, Topics.TASK_STATUS)) {
            kafka.partitionsFor(topic).forEach(p -> inputs.add(new TopicPartition(topic, p.partition())));
        }
        List<TopicPartition> all = new ArrayList<>(inputs);
        all.addAll(nodeStatusPositions.keySet());
        kafka.assign(all);
        nodeStatusPositions.forEach(kafka::seek);
        Map<TopicPartition, OffsetAndMetadata> committed = kafka.committed(Set.copyOf(inputs));
        for (TopicPartition tp : inputs) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset == null) {
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
            }
            actions.forEach(a -> out.add(toRecord(a)));
        } catch (MalformedMessageException e) {
            LOG.warnf("dead-lettering %s[%d]@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            out.add(DeadLetters.of(record, CONSUMER_NAME, e.getMessage()));
        }
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
