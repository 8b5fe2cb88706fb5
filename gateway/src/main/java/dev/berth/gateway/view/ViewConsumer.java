package dev.berth.gateway.view;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.contracts.messages.VolumeEvent;
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
    private static final List<String> TOPICS =
            List.of(Topics.APPS, Topics.TASKS, Topics.NODE_STATUS, Topics.NODE_ADMIN, Topics.QUEUE,
                    Topics.VOLUME_EVENTS, Topics.APP_VERSIONS, Topics.DEPLOYMENTS, Topics.TASK_HISTORY);

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
            for (String topic : TOPICS) {
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
            String topic = record.topic();
            if (topic.equals(Topics.APPS)) {
                if (record.value() == null) {
                    view.removeApp(key(record));
                } else {
                    AppState app = JsonCodec.decode(record.value(), AppState.class);
                    required(app.appId(), "appId");
                    required(app.definition(), "definition");
                    view.putApp(app);
                }
            } else if (topic.equals(Topics.TASKS)) {
                if (record.value() == null) {
                    view.removeTask(key(record));
                } else {
                    TaskRecord task = JsonCodec.decode(record.value(), TaskRecord.class);
                    required(task.taskId(), "taskId");
                    required(task.appId(), "appId");
                    required(task.state(), "state");
                    view.putTask(task);
                }
            } else if (topic.equals(Topics.NODE_STATUS) && record.value() != null) {
                NodeReport report = JsonCodec.decode(record.value(), NodeReport.class);
                required(report.nodeId(), "nodeId");
                // While replaying history, a report's age is its own; after that, it is news now.
                view.putNode(report, caughtUp || report.occurredAt() == null ? Instant.now() : report.occurredAt());
            } else if (topic.equals(Topics.NODE_ADMIN)) {
                if (record.value() == null) {
                    view.clearNodeMode(key(record));
                } else {
                    NodeAdminCommand command = JsonCodec.decode(record.value(), NodeAdminCommand.class);
                    required(command.nodeId(), "nodeId");
                    view.putNodeMode(command.nodeId(), modeAfter(command));
                }
            } else if (topic.equals(Topics.QUEUE)) {
                if (record.value() == null) {
                    view.removeQueue(key(record));
                } else {
                    AppQueue entry = JsonCodec.decode(record.value(), AppQueue.class);
                    required(entry.appId(), "appId");
                    view.putQueue(entry);
                }
            } else if (topic.equals(Topics.TASK_HISTORY)) {
                if (record.value() == null) {
                    view.removeHistory(key(record));
                } else {
                    AppTaskHistory history = JsonCodec.decode(record.value(), AppTaskHistory.class);
                    required(history.appId(), "appId");
                    view.putHistory(history);
                }
            } else if (topic.equals(Topics.APP_VERSIONS)) {
                if (record.value() == null) {
                    if (!view.removeVersion(key(record))) {
                        throw new MalformedMessageException("a tombstone keyed '" + record.key()
                                + "' names no app version (appId@version)");
                    }
                } else {
                    AppVersion version = JsonCodec.decode(record.value(), AppVersion.class);
                    required(version.appId(), "appId");
                    required(version.definition(), "definition");
                    view.putVersion(version);
                }
            } else if (topic.equals(Topics.DEPLOYMENTS)) {
                if (record.value() == null) {
                    view.removeDeployment(key(record));
                } else {
                    Deployment deployment = JsonCodec.decode(record.value(), Deployment.class);
                    required(deployment.deploymentId(), "deploymentId");
                    required(deployment.appId(), "appId");
                    required(deployment.state(), "state");
                    view.putDeployment(deployment);
                }
            } else if (topic.equals(Topics.VOLUME_EVENTS)) {
                if (record.value() == null) {
                    view.removeVolume(key(record));
                } else {
                    VolumeEvent event = JsonCodec.decode(record.value(), VolumeEvent.class);
                    required(event.kind(), "kind");
                    required(event.volume(), "volume");
                    required(event.volume().volumeId(), "volume.volumeId");
                    required(event.volume().state(), "volume.state");
                    if (!view.putVolume(event)) {
                        LOG.debugf("ignored a stale event of volume %s (version %d)", event.volumeId(),
                                event.volume().version());
                    }
                }
            }
        } catch (MalformedMessageException e) {
            deadLetter(record, e.getMessage());
        } catch (RuntimeException e) {
            // A record that decodes but cannot be applied must not stop the view for everyone:
            // set it aside like a malformed one, and log the stack, since this may be our fault.
            LOG.errorf(e, "cannot apply %s[%d]@%d", record.topic(), record.partition(), record.offset());
            deadLetter(record, "the gateway could not apply it: " + e);
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

    /** A tombstone says which entry to remove by its key alone. */
    private static String key(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            throw new MalformedMessageException("a tombstone without a key removes nothing");
        }
        return record.key();
    }

    private static void required(Object value, String field) {
        if (value == null) {
            throw new MalformedMessageException("the message has no " + field);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
