package dev.berth.gateway.view;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.KafkaClientFactory;
import dev.berth.contracts.kafka.PollLoop;
import dev.berth.contracts.kafka.TopicHandlers;
import dev.berth.contracts.messages.DrainNode;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.contracts.messages.VolumeEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps a {@link ClusterView} current: reads {@code berth.apps}, {@code berth.tasks},
 * {@code berth.node-status}, {@code berth.node-admin}, {@code berth.queue} and
 * {@code berth.volume-events}, {@code berth.app-versions} and {@code berth.deployments} from the beginning,
 * without a consumer group, since every gateway replica builds its own full view. Tombstones
 * remove entries. It counts as caught up once it has read up to the end offsets it saw at start;
 * until then the gateway is not ready. A record it cannot read goes to the dead-letter topic and
 * the view carries on.
 *
 * <p>A plain client ({@code contracts}' {@link KafkaClientFactory} and {@link PollLoop}), not a SmallRye
 * connector channel: the connector subscribes in a group or assigns a fixed list from configuration,
 * always with a group id (one it makes up when none is set); it cannot say when a position has reached
 * the end offsets seen at start, which is what "caught up", the gateway's readiness, means here.
 */
public final class ViewConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ViewConsumer.class);
    private static final String CONSUMER_NAME = "gateway";

    private final ClusterView view;
    private final TopicHandlers handlers;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final PollLoop loop;
    private volatile boolean caughtUp;

    public ViewConsumer(String bootstrapServers, ClusterView view, KafkaProducer<String, byte[]> deadLetters) {
        this.view = view;
        this.handlers = handlers();
        this.deadLetters = deadLetters;
        // No group: every replica reads everything. The scheduler writes state in transactions: show only
        // what it committed, without letting a held fetch add to a launch's latency.
        this.consumer = KafkaClientFactory.consumer(bootstrapServers, null)
                .readCommitted(Duration.ofMillis(50))
                .create();
        this.loop = new PollLoop("view-consumer", consumer, false, Duration.ofSeconds(30), this::run);
    }

    public void start() {
        loop.start();
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    private void run(PollLoop loop) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : handlers.topicNames()) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
        while (loop.running()) {
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
                .on(Topics.TASK_HISTORY, view::putHistory, view::removeHistory)
                .on(Topics.ROUTES, view::putRoutes, view::removeRoutes);
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
        loop.close();
    }
}
