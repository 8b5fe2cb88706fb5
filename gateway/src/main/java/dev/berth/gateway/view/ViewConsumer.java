package dev.berth.gateway.view;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a {@link ClusterView} current: reads {@code berth.apps}, {@code berth.tasks} and
 * {@code berth.node-status} from the beginning, without a consumer group, since every gateway
 * replica builds its own full view. Tombstones remove entries. It counts as caught up once it has
 * read up to the end offsets it saw at start; until then the gateway is not ready.
 */
public final class ViewConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ViewConsumer.class);
    private static final String CONSUMER_NAME = "gateway";

    private final ClusterView view;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    public ViewConsumer(String bootstrapServers, ClusterView view, KafkaProducer<String, byte[]> deadLetters) {
        this.view = view;
        this.deadLetters = deadLetters;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                // The scheduler writes state in transactions: show only what it committed.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        this.thread = new Thread(this::run, "view-consumer");
    }

    public void start() {
        thread.start();
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.APPS, Topics.TASKS, Topics.NODE_STATUS)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
                if (!caughtUp && partitions.stream().allMatch(tp -> consumer.position(tp) >= endAtStart.get(tp))) {
                    caughtUp = true;
                    LOG.infof("view caught up: %d apps, %d tasks, %d nodes", view.apps().size(), view.tasks().size(),
                            view.nodes().size());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    void apply(ConsumerRecord<String, byte[]> record) {
        try {
            String topic = record.topic();
            if (topic.equals(Topics.APPS)) {
                if (record.value() == null) {
                    view.removeApp(record.key());
                } else {
                    view.putApp(JsonCodec.decode(record.value(), AppState.class));
                }
            } else if (topic.equals(Topics.TASKS)) {
                if (record.value() == null) {
                    view.removeTask(record.key());
                } else {
                    view.putTask(JsonCodec.decode(record.value(), TaskRecord.class));
                }
            } else if (topic.equals(Topics.NODE_STATUS) && record.value() != null) {
                NodeReport report = JsonCodec.decode(record.value(), NodeReport.class);
                // While replaying history, a report's age is its own; after that, it is news now.
                view.putNode(report, caughtUp ? Instant.now() : report.occurredAt());
            }
        } catch (MalformedMessageException e) {
            LOG.warnf("dead-lettering %s[%d]@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            deadLetters.send(DeadLetters.of(record, CONSUMER_NAME, e.getMessage()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
