package dev.berth.scheduler.kafka;

import dev.berth.contracts.kafka.KafkaClientFactory;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;

/**
 * The transactional producer and the read-committed consumer of one scheduler session.
 *
 * <p>Why a class of its own: the guarantees of the whole loop rest on these few settings (the fixed
 * transactional id that fences a deposed leader, read_committed so only committed state counts, no
 * auto-commit because offsets commit inside each transaction); they are kept together, apart from the
 * code that uses them, so they are read and changed as one.
 *
 * <p>Why plain clients ({@code contracts}' {@link KafkaClientFactory}) and not SmallRye connector
 * channels: the loop is one consume-transform-produce transaction per batch, with the input offsets sent
 * in the transaction under a fixed transactional id and manual seeks back to the last commit after an
 * abort; the connector's transactions ({@code KafkaTransactions}) tie offsets to its own channel's
 * acknowledgements and cannot be driven that way, nor started and stopped with a leader's term.
 */
public final class KafkaClients {
    private KafkaClients() {
    }

    /** A new transactional producer under the cluster's fixed transactional id. */
    public static KafkaProducer<String, byte[]> producer(String bootstrapServers, SchedulerConfig config) {
        return KafkaClientFactory.producer(bootstrapServers, null)
                .transactional(config.transactionalId())
                .create();
    }

    /** A new consumer (assigned partitions, not subscribed) that sees only committed transactions. */
    public static KafkaConsumer<String, byte[]> consumer(String bootstrapServers, SchedulerConfig config) {
        return KafkaClientFactory.consumer(bootstrapServers, null)
                .group(config.groupId())
                // Only what a committed transaction wrote counts as state, and a held read_committed
                // fetch would be most of a launch's latency.
                .readCommitted(Duration.ofMillis(50))
                .withoutOffsetStartAt("earliest")
                .create();
    }
}
