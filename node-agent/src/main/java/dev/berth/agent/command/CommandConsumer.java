package dev.berth.agent.kafka;

import dev.berth.agent.task.TaskSupervisor;
import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.NodePartitions;
import dev.berth.contracts.messages.NodeCommand;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads this node's commands: only the one partition of {@code berth.node-commands} that the node
 * id maps to, skipping other nodes' commands that share it. Offsets are committed under the group
 * {@code berth-agent-<node id>} after each batch is handed over.
 */
public final class CommandConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CommandConsumer.class);

    private final String nodeId;
    private final String consumerName;
    private final KafkaConsumer<String, byte[]> consumer;
    private final TaskSupervisor supervisor;
    private final StatusPublisher publisher;
    private final CountDownLatch positioned = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    public CommandConsumer(String bootstrapServers, String nodeId, TaskSupervisor supervisor,
                           StatusPublisher publisher) {
        this.nodeId = nodeId;
        this.consumerName = "node-agent:" + nodeId;
        this.supervisor = supervisor;
        this.publisher = publisher;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "berth-agent-" + nodeId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // A node with no committed offset is new: commands written before it existed were
                // for an earlier node of that name and must not run now. The position is fixed
                // before the node registers, so nothing meant for this agent is skipped.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        this.thread = new Thread(this::run, "node-commands");
    }

    /** Starts reading and returns once the read position is fixed (so registering is safe). */
    public void start(Duration timeout) throws InterruptedException {
        thread.start();
        if (!positioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("could not reach " + Topics.NODE_COMMANDS + " within " + timeout);
        }
    }

    private void run() {
        try {
            int partitions = consumer.partitionsFor(Topics.NODE_COMMANDS).size();
            TopicPartition mine = new TopicPartition(Topics.NODE_COMMANDS, NodePartitions.partitionFor(nodeId, partitions));
            consumer.assign(List.of(mine));
            consumer.position(mine);
            positioned.countDown();
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> record : records) {
                    handle(record);
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
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

    private void handle(ConsumerRecord<String, byte[]> record) {
        if (!nodeId.equals(record.key())) {
            return; // another node's command on the shared partition
        }
        try {
            NodeCommand command = JsonCodec.decode(record.value(), NodeCommand.class);
            if (nodeId.equals(command.nodeId())) {
                supervisor.handle(command);
            }
        } catch (MalformedMessageException e) {
            LOG.warnf("dead-lettering %s: %s", StatusPublisher.where(record), e.getMessage());
            publisher.deadLetter(DeadLetters.of(record, consumerName, e.getMessage()));
        } catch (RuntimeException e) {
            // A command we can read but not carry out must not stop the node from taking others.
            LOG.errorf(e, "cannot carry out %s", StatusPublisher.where(record));
            publisher.deadLetter(DeadLetters.of(record, consumerName, "failed: " + e));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
