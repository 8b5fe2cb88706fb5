package dev.berth.contracts.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The plain Kafka clients Berth still makes by hand, with the settings every one of them shares: String
 * keys, byte[] values (the JSON codec is Berth's, not Kafka's), no auto-commit, read_committed with a
 * short fetch wait where a consumer reads what the scheduler writes in transactions, and idempotent
 * acks=all producers.
 *
 * <p>Why plain clients at all, when the services read and write their plain channels through the
 * SmallRye Kafka connector ({@code application.properties}, {@code mp.messaging.*}): these are the
 * places that need control the connector does not give.
 * <ul>
 *   <li>the scheduler's election is group membership itself (who holds the one partition of
 *       {@code berth.scheduler-leader}), and its loop is a consume-transform-produce transaction
 *       under a fixed transactional id, with offsets sent in the transaction and manual seeks back
 *       after an abort;</li>
 *   <li>a node agent reads the one partition its node id maps to, worked out from the topic's live
 *       partition count, and must fix and commit its position before the node registers;</li>
 *   <li>the gateway's view reads the compacted topics from the beginning without a group and must know
 *       their end offsets to say "caught up"; each event stream assigns and seeks per HTTP client; the
 *       command replies are positioned at the end before the first command can be sent.</li>
 * </ul>
 * One factory, so those settings are read and changed in one place and not copied per client.
 */
public final class KafkaClientFactory {
    private KafkaClientFactory() {
    }

    /** A consumer of String keys and byte[] values, auto-commit off; {@code clientId} may be null. */
    public static ConsumerSpec consumer(String bootstrapServers, String clientId) {
        return new ConsumerSpec(bootstrapServers, clientId);
    }

    /** An idempotent acks=all producer of String keys and byte[] values; {@code clientId} may be null. */
    public static ProducerSpec producer(String bootstrapServers, String clientId) {
        return new ProducerSpec(bootstrapServers, clientId);
    }

    /** The settings of one consumer; {@link #create()} makes it. */
    public static final class ConsumerSpec {
        private final Map<String, Object> settings = new HashMap<>();

        private ConsumerSpec(String bootstrapServers, String clientId) {
            settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(bootstrapServers));
            if (clientId != null) {
                settings.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
            }
            // Offsets are committed by the code that knows a record was carried out (or in a transaction),
            // never in the background.
            settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        }

        /** Keeps its committed offsets in {@code groupId}. */
        public ConsumerSpec group(String groupId) {
            settings.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            return this;
        }

        /**
         * Sees only what committed transactions wrote (the scheduler writes in transactions: never act
         * on an aborted one). A read_committed fetch can be held until fetch.max.wait.ms (500 ms by
         * default) before the transaction it waits on is seen committed; {@code fetchMaxWait} keeps that
         * wait off the latency of whoever waits on the record.
         */
        public ConsumerSpec readCommitted(Duration fetchMaxWait) {
            settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetchMaxWait.toMillis());
            return this;
        }

        /** Where a group without a committed offset starts: {@code earliest} or {@code latest}. */
        public ConsumerSpec withoutOffsetStartAt(String autoOffsetReset) {
            settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, autoOffsetReset);
            return this;
        }

        /** Any other consumer setting. */
        public ConsumerSpec set(String key, Object value) {
            settings.put(key, value);
            return this;
        }

        public Map<String, Object> settings() {
            return Map.copyOf(settings);
        }

        public KafkaConsumer<String, byte[]> create() {
            return new KafkaConsumer<>(settings);
        }
    }

    /** The settings of one producer; {@link #create()} makes it. */
    public static final class ProducerSpec {
        private final Map<String, Object> settings = new HashMap<>();

        private ProducerSpec(String bootstrapServers, String clientId) {
            settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(bootstrapServers));
            if (clientId != null) {
                settings.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
            }
            // Idempotent with acks=all: a retried send is written once and in order, which every
            // compacted "latest is current" topic and every per-key status sequence depends on.
            settings.put(ProducerConfig.ACKS_CONFIG, "all");
            settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            // Batches are small and latency matters more than throughput here.
            settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        }

        /**
         * Gives up on a send (blocked on metadata, waiting for the broker, retrying) after {@code timeout},
         * so a caller waiting on the ack answers in time instead of hanging while the broker is away.
         */
        public ProducerSpec ackTimeout(Duration timeout) {
            int ms = (int) timeout.toMillis();
            settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
            settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
            settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms);
            return this;
        }

        /**
         * Transactional under a fixed id: a new producer with the same id fences the one before it, which
         * is what stops a deposed scheduler from committing.
         */
        public ProducerSpec transactional(String transactionalId) {
            settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            return this;
        }

        /** Any other producer setting. */
        public ProducerSpec set(String key, Object value) {
            settings.put(key, value);
            return this;
        }

        public Map<String, Object> settings() {
            return Map.copyOf(settings);
        }

        public KafkaProducer<String, byte[]> create() {
            return new KafkaProducer<>(settings);
        }
    }
}
