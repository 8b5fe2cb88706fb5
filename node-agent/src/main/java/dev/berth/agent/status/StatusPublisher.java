package dev.berth.agent.kafka;

import dev.berth.agent.task.StatusSink;
import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * The agent's one producer: task status, node reports and dead letters. Idempotent with acks=all,
 * so a retried send neither duplicates nor reorders a task's status updates.
 */
public final class StatusPublisher implements StatusSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StatusPublisher.class);
    private final KafkaProducer<String, byte[]> producer;

    public StatusPublisher(String bootstrapServers) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    @Override
    public void report(TaskStatus status) {
        send(new ProducerRecord<>(Topics.TASK_STATUS, status.taskId(), JsonCodec.encodeBytes(status)));
    }

    public void report(NodeReport report) {
        send(new ProducerRecord<>(Topics.NODE_STATUS, report.nodeId(), JsonCodec.encodeBytes(report)));
    }

    public void deadLetter(ProducerRecord<String, byte[]> record) {
        send(record);
    }

    private void send(ProducerRecord<String, byte[]> record) {
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                LOG.errorf(error, "could not publish to %s (key %s)", record.topic(), record.key());
            }
        });
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Handy for logs: where a record came from. */
    static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "[" + record.partition() + "]@" + record.offset();
    }
}
