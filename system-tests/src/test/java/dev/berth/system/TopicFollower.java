package dev.berth.system;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads one topic from the moment it is opened, on its own thread, and hands each poll's records to a
 * callback: what the benchmarks' watches and the simulated agents all need, as an outside consumer
 * with no group (no rebalance to wait for, no offsets left behind). Everything written after the
 * constructor returns is seen; nothing written before.
 */
final class TopicFollower implements AutoCloseable {
    /** Takes one poll's records and the moment ({@link System#nanoTime()}) they were read. */
    @FunctionalInterface
    interface Reader {
        void read(ConsumerRecords<String, byte[]> records, long readAtNanos);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Reader reader;
    private final Thread thread;
    private volatile boolean open = true;

    /**
     * @param fetchMaxWait how long the broker may hold a fetch for more data: Kafka's 500 ms default
     *                     would be part of every time measured through a follower, and a read_committed
     *                     fetch can wait that long before it sees a transaction committed
     */
    TopicFollower(String bootstrap, String topic, Duration fetchMaxWait, String threadName, Reader reader) {
        this.reader = reader;
        consumer = consumerFromNow(bootstrap, topic, fetchMaxWait, ByteArrayDeserializer.class);
        thread = new Thread(this::follow, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A consumer of {@code topic}'s every partition, positioned at its end: for a test that polls on its
     * own thread what a follower would read. Parameters as the constructor's.
     */
    static <V> KafkaConsumer<String, V> consumerFromNow(String bootstrap, String topic, Duration fetchMaxWait,
                                                         Class<? extends Deserializer<V>> values) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                // The scheduler writes its topics in transactions: only what it committed happened. On a
                // topic written without transactions (task status) this changes nothing.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetchMaxWait.toMillis(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, values));
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the lazy end positions now, so nothing written after this returns is missed.
        partitions.forEach(consumer::position);
        return consumer;
    }

    private void follow() {
        try {
            while (open) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(50));
                reader.read(records, System.nanoTime());
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            // The consumer is not thread-safe: only its own thread closes it.
            consumer.close();
        }
    }

    @Override
    public void close() {
        open = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
