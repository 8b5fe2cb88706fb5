package dev.berth.gateway.view;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.TopicHandlers;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.contracts.messages.VolumeEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
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
 * Keeps a {@link ClusterView} current: reads {@code berth.apps}, {@code berth.tasks},
 * {@code berth.node-status}, {@code berth.node-admin}, {@code berth.queue} and
 * {@code berth.volume-events}, {@code berth.app-versions} and {@code berth.deployments} from the beginning,
 * without a consumer group, since every gateway replica builds its own full view. Tombstones
 * remove entries. It counts as caught up once it has read up to the end offsets it saw at start;
 * until then the gateway is not ready. A record it cannot read goes to the dead-letter topic and
 * the view carries on.
 */
public final class ViewConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ViewConsumer.class);
    private static final String CONSUMER_NAME = "gateway";

    private final ClusterView view;
    private final TopicHandlers handlers;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    public ViewConsumer(String bootstrapServers, ClusterView view, KafkaProducer<String, byte[]> deadLetters) {
        this.view = view;
        this.handlers = handlers();
        this.deadLetters = deadLetters;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                // The scheduler writes state in transactions: show only what it committed.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // A read_committed fetch can be held until fetch.max.wait.ms (500 ms by default) before the
                // transaction it waits on is seen committed: that wait would be most of a launch's latency.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
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
            for (String topic : handlers.topicNames()) {
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
                    LOG.infof("view caught up: %d apps, %d tasks, %d nodes, %d volumes, %d deployments",
                            view.apps().size(), view.tasks().size(), view.nodes().size(), view.volumes().size(),
                            view.deployments().size());
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
            handlers.handle(record);
        } catch (MalformedMessageException e) {
            deadLetter(record, e.getMessage());
        } catch (RuntimeException e) {
            // A record that decodes but cannot be applied must not stop the view for everyone:
            // set it aside like a malformed one, and log the stack, since this may be our fault.
            LOG.errorf(e, "cannot apply %s[%d]@%d", record.topic(), record.partition(), record.offset());
            deadLetter(record, "the gateway could not apply it: " + e);
        }
    }

    /** What the view takes from each topic it reads; a tombstone removes what its key names. */
    private TopicHandlers handlers() {
        return new TopicHandlers()
                .on(Topics.APPS, view::putApp, view::removeApp)
                .on(Topics.TASKS, view::putTask, view::removeTask)
                // While replaying history, a report's age is its own; after that, it is news now.
                .on(Topics.NODE_STATUS, report -> view.putNode(report,
                        caughtUp || report.occurredAt() == null ? Instant.now() : report.occurredAt()))
                .on(Topics.NODE_ADMIN, command -> view.putNodeMode(command.nodeId(), modeAfter(command)),
                        view::clearNodeMode)
                .on(Topics.QUEUE, view::putQueue, view::removeQueue)
                .on(Topics.VOLUME_EVENTS, this::putVolume, view::removeVolume)
                .on(Topics.APP_VERSIONS, view::putVersion, view::removeVersion)
                .on(Topics.DEPLOYMENTS, view::putDeployment, view::removeDeployment)
                .on(Topics.TASK_HISTORY, view::putHistory, view::removeHistory);
    }

    private void putVolume(VolumeEvent event) {
        if (!view.putVolume(event)) {
            LOG.debugf("ignored a stale event of volume %s (version %d)", event.volumeId(), event.volume().version());
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("dead-lettering %s[%d]@%d: %s", record.topic(), record.partition(), record.offset(), reason);
        deadLetters.send(DeadLetters.of(record, CONSUMER_NAME, reason));
    }

    private static NodeMode modeAfter(NodeAdminCommand command) {
        if (command instanceof DrainNode) {
            return NodeMode.DRAINING;
        }
        if (command instanceof UndrainNode) {
            return NodeMode.ACTIVE;
        }
        throw new MalformedMessageException("unknown node admin command " + command.getClass().getSimpleName());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
