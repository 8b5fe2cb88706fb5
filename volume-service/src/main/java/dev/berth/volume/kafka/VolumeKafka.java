package dev.berth.volume.kafka;

import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.volume.VolumeConfig;
import dev.berth.volume.outbox.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The service's Kafka edge: creates Berth's topics if missing, then starts the outbox relay (events
 * out) and lets the command consumer through (commands in). The connector's channels themselves
 * ({@code application.properties}) connect on their own, retrying until the broker answers; this
 * start-up happens on a thread of its own for the same reason, so the service (its API, its health)
 * is up while Kafka is not yet.
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
    VolumeCommandConsumer consumer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean ready;
    private Thread starter;

    public void start() {
        starter = new Thread(this::connect, "volume-kafka-start");
        starter.setDaemon(true);
        starter.start();
    }

    /** True once the topics exist and commands are being read. */
    public boolean ready() {
        return ready && consumer.reading();
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
        relay.start(config.relayInterval(), config.kafkaAckTimeout());
        consumer.open();
        ready = true;
        LOG.infof("reading volume commands in group %s from %s", config.consumerGroup(), bootstrapServers);
    }

    public void stop() throws InterruptedException {
        stopping.countDown();
        consumer.stop();
        if (starter != null) {
            starter.join(TimeUnit.SECONDS.toMillis(5));
        }
        relay.stop();
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
