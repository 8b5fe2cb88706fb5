package dev.berth.gateway;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.Message;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import dev.berth.gateway.view.ClusterView;
import dev.berth.gateway.view.ViewConsumer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's Kafka edge: the view it reads and the commands it writes. A command counts as
 * sent only when the broker has acknowledged it; if that does not happen in time the caller gets
 * 503 with Retry-After, never a silent loss.
 */
@ApplicationScoped
public class Kafka {
    @Inject
    GatewayConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final ClusterView view = new ClusterView();
    private KafkaProducer<String, byte[]> producer;
    private ViewConsumer viewConsumer;

    void onStart(@Observes StartupEvent event) {
        TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
        int timeoutMs = (int) config.kafkaAckTimeout().toMillis();
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        viewConsumer = new ViewConsumer(bootstrapServers, view, producer);
        viewConsumer.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (viewConsumer != null) {
            viewConsumer.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    public ClusterView view() {
        return view;
    }

    public boolean viewCaughtUp() {
        return viewConsumer != null && viewConsumer.caughtUp();
    }

    /** Publishes an app command on {@code berth.app-commands}, keyed by its app id, and waits for the ack. */
    public void send(AppCommand command) {
        publish(Topics.APP_COMMANDS, command.appId(), command);
    }

    /**
     * Publishes a drain / undrain on the compacted {@code berth.node-admin}, keyed by node id (so the
     * latest one per node is what stands), and waits for the ack.
     */
    public void send(NodeAdminCommand command) {
        publish(Topics.NODE_ADMIN, command.nodeId(), command);
    }

    /**
     * Publishes a volume command on {@code berth.volume-commands}, keyed by its volume id (so the
     * volume service sees one volume's commands in order), and waits for the ack.
     */
    public void send(VolumeCommand command) {
        publish(Topics.VOLUME_COMMANDS, command.volumeId(), command);
    }

    private void publish(String topic, String key, Message message) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, JsonCodec.encodeBytes(message));
        Duration timeout = config.kafkaAckTimeout();
        try {
            producer.send(record).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw unavailable();
        }
    }

    private static ProblemException unavailable() {
        return new ProblemException(Problem.of(503, "kafka-unavailable", "Command not accepted",
                "Kafka did not acknowledge the command in time; nothing was changed. Try again."), Duration.ofSeconds(5));
    }
}
