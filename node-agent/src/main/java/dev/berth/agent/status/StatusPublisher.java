package dev.berth.agent.status;

import dev.berth.agent.task.StatusSink;
import dev.berth.agent.trace.LaunchSpans;
import dev.berth.contracts.Topics;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.KafkaClientFactory;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Everything the agent tells the cluster, through its one producer: task status on
 * {@code berth.task-status} (key task id), node reports on {@code berth.node-status} (key node id)
 * and dead letters. Idempotent with acks=all, so a retried send neither duplicates nor reorders a
 * task's status updates (they share a key, hence a partition).
 *
 * <p>A plain producer ({@link KafkaClientFactory}) rather than connector channels: the agent's Kafka
 * edge is one object it starts once its node id and position are known and closes after its tasks
 * (see {@code NodeCommandConsumer} for why the consumer stays plain), and the lease renewal hangs on
 * this producer's per-record acknowledgement callback, on the producer's own thread.
 */
public final class StatusPublisher implements StatusSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StatusPublisher.class);
    private final KafkaProducer<String, byte[]> producer;
    private final Consumer<String> deadLettered;
    private final LaunchSpans launches;

    public StatusPublisher(String bootstrapServers, String nodeId) {
        this(bootstrapServers, nodeId, topic -> {
        }, new LaunchSpans());
    }

    /**
     * @param deadLettered told the source topic of each dead letter sent (the agent's metrics count them)
     * @param launches     the traced launches, whose spans a task's statuses carry
     */
    public StatusPublisher(String bootstrapServers, String nodeId, Consumer<String> deadLettered,
                           LaunchSpans launches) {
        this.producer = KafkaClientFactory.producer(bootstrapServers, "berth-agent-" + nodeId + "-status").create();
        this.deadLettered = deadLettered;
        this.launches = launches;
    }

    @Override
    public void report(TaskStatus status) {
        send(launches.carry(status, Topics.TASK_STATUS.record(status)), () -> {
        });
    }

    public void report(NodeReport report) {
        report(report, () -> {
        });
    }

    /**
     * Sends a node report; {@code acknowledged} runs on the producer's thread once the broker has it
     * (acks=all: written to every in-sync replica), never when the send fails. It renews the node's
     * lease, so it must be quick.
     */
    public void report(NodeReport report, Runnable acknowledged) {
        send(Topics.NODE_STATUS.record(report), acknowledged);
    }

    public void deadLetter(ProducerRecord<String, byte[]> record) {
        send(record, () -> {
        });
        deadLettered.accept(DeadLetters.sourceTopic(record));
    }

    private void send(ProducerRecord<String, byte[]> record, Runnable acknowledged) {
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    LOG.errorf(error, "could not publish to %s (key %s)", record.topic(), record.key());
                } else {
                    acknowledged.run();
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            // Closed while the agent stops, or the record cannot be sent at all: the task or node
            // goes on, and the scheduler reconciles from the next heartbeat.
            LOG.warnf("could not publish to %s (key %s): %s", record.topic(), record.key(), e.getMessage());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** For logs: where a record came from. */
    public static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "[" + record.partition() + "]@" + record.offset();
    }
}
