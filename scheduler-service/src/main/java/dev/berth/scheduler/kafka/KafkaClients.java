package dev.berth.scheduler.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;

/**
 * The transactional producer and the read-committed consumer of one scheduler session.
 *
 * <p>Why a class of its own: the guarantees of the whole loop rest on these few settings (the fixed
 * transactional id that fences a deposed leader, read_committed so only committed state counts, no
 * auto-commit because offsets commit inside each transaction); they are kept together, apart from the
 * code that uses them, so they are read and changed as one.
 */
public final class KafkaClients {
    private KafkaClients() {
    }

    /** A new transactional producer under the cluster's fixed transactional id. */
    public static KafkaProducer<String, byte[]> producer(String bootstrapServers, SchedulerConfig config) {
        return new KafkaProducer<>(producerConfig(bootstrapServers, config));
    }

    /** A new consumer (assigned partitions, not subscribed) that sees only committed transactions. */
    public static KafkaConsumer<String, byte[]> consumer(String bootstrapServers, SchedulerConfig config) {
        return new KafkaConsumer<>(consumerConfig(bootstrapServers, config));
    }

    private static Map<String, Object> producerConfig(String bootstrapServers, SchedulerConfig config) {
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

    private static Map<String, Object> consumerConfig(String bootstrapServers, SchedulerConfig config) {
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
}
