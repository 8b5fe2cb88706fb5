package dev.berth.volume.kafka;

import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.volume.VolumeConfig;
import dev.berth.volume.lifecycle.VolumeCommands;
import dev.berth.volume.outbox.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The service's Kafka edge: creates Berth's topics if missing, then starts the outbox relay (events
 * out) and the command consumer (commands in). It all happens on a thread of its own, retrying
 * until the broker answers, so the service (its API, its health) is up while Kafka is not yet.
 */
@ApplicationScoped
public class VolumeKafka {
    private static final Logger LOG = Logger.getLogger(VolumeKafka.class);
    private static final Duration RETRY = Duration.ofSeconds(2);

    @Inject
    VolumeConfig config;
    @Inject
    OutboxRelay relay;
    @Inject
    VolumeCommands commands;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile VolumeCommandConsumer consumer;
    private volatile boolean ready;
    private Thread starter;

    public void start() {
        starter = new Thread(this::connect, "volume-kafka-start");
        starter.setDaemon(true);
        starter.start();
    }

    /** True once the topics exist and commands are being read. */
    public boolean ready() {
        VolumeCommandConsumer current = consumer;
        return ready && current != null && current.reading();
    }

    private void connect() {
        while (stopping.getCount() > 0) {
            try {
                TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
                break;
            } catch (RuntimeException e) {
                LOG.warnf("cannot create Berth's topics on %s yet, retrying: %s", bootstrapServers, e.getMessage());
                if (await(RETRY)) {
                    return;
                }
            }
        }
        int timeoutMs = (int) config.kafkaAckTimeout().toMillis();
        // Idempotent with acks=all: a retried send is written once, and in order, which the outbox's
        // order and the compacted topic's "latest is current" both depend on.
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "berth-volume-service",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        relay.start(producer, config.relayInterval(), config.kafkaAckTimeout());
        VolumeCommandConsumer started = new VolumeCommandConsumer(bootstrapServers, config.consumerGroup(), producer,
                config.kafkaAckTimeout(), commands::execute);
        consumer = started;
        started.start();
        ready = true;
        LOG.infof("reading volume commands in group %s from %s", config.consumerGroup(), bootstrapServers);
    }

    public void stop() throws InterruptedException {
        stopping.countDown();
        if (starter != null) {
            starter.join(TimeUnit.SECONDS.toMillis(5));
        }
        if (consumer != null) {
            consumer.close();
        }
        relay.stop();
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Waits; true when the service is stopping. */
    private boolean await(Duration duration) {
        try {
            return stopping.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
