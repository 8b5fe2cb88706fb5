package dev.berth.gateway.commands;

import dev.berth.contracts.Topic;
import dev.berth.contracts.Topics;
import dev.berth.contracts.kafka.KafkaClientFactory;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.trace.RecordTracing;
import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The commands the gateway writes and the scheduler's replies to them. A command counts as sent only
 * when the broker has acknowledged it; an app command counts as done only when the scheduler replied.
 * If either does not happen in time the caller gets 503 with Retry-After, never a silent loss. Reads
 * are not its business: they come from the {@code ClusterView}, which {@code view/ViewFeed} keeps.
 *
 * <p>Its producer is a plain one ({@code contracts}' {@link KafkaClientFactory}), not a connector
 * channel: the view dead-letters with it too, and it is made after the topics exist and closed after
 * the view, in the gateway's start-up order; each send is waited on for its ack anyway.
 */
@ApplicationScoped
public class CommandBus {
    /**
     * Started before every other user of Kafka (the view's consumer among them): it makes sure the topics
     * exist, and its producer is the one the view dead-letters with. Shut down after them, for the same reason.
     */
    public static final int LIFECYCLE_PRIORITY = 100;

    @Inject
    GatewayConfig config;

    @Inject
    MeterRegistry metrics;

    /** Quarkus's tracer, used only when BERTH_OTLP_ENDPOINT turned tracing on (RecordTracing.of). */
    @Inject
    Tracer tracer;

    private RecordTracing tracing;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private KafkaProducer<String, byte[]> producer;
    private CommandReplies replies;

    void onStart(@Observes @Priority(LIFECYCLE_PRIORITY) StartupEvent event) {
        TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
        producer = KafkaClientFactory.producer(bootstrapServers, null)
                .ackTimeout(config.kafkaAckTimeout())
                .create();
        replies = new CommandReplies(bootstrapServers);
        replies.start();
        tracing = RecordTracing.of(tracer);
    }

    // Observers of a higher priority run later: the view's consumer (which dead-letters with this
    // producer) is closed first.
    void onStop(@Observes @Priority(LIFECYCLE_PRIORITY + 1000) ShutdownEvent event) throws InterruptedException {
        if (replies != null) {
            replies.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * The acknowledged producer, for the view's dead letters: one producer per gateway, as before the
     * view and the commands had beans of their own.
     */
    public KafkaProducer<String, byte[]> producer() {
        return producer;
    }

    /**
     * Publishes an app command on {@code berth.app-commands}, keyed by its app id, and waits for the
     * scheduler's reply on {@code berth.command-replies}. Returns the reply when the scheduler accepted
     * the command; a refusal ends the request with its status (404, 409, 422) and the scheduler's reason;
     * no reply within {@code berth.gateway.command-reply-timeout} ends it with 503 and Retry-After (the
     * command is in Kafka all the same). Kafka not acknowledging the command is a 503 too, with nothing sent.
     */
    public CommandReply submit(AppCommand command) {
        // Registered before sending: the reply may come before send() has even returned.
        CompletableFuture<CommandReply> answer = replies.expect(command.id());
        long began = System.nanoTime();
        String outcome = "unsent";
        try {
            publish(Topics.APP_COMMANDS, command);
            outcome = "unanswered";
            Duration timeout = config.commandReplyTimeout();
            CommandReply reply;
            try {
                reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw CommandOutcomes.unanswered(command, timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CommandOutcomes.unanswered(command, timeout);
            } catch (ExecutionException e) {
                throw new IllegalStateException("waiting for the reply to " + command.id() + " failed", e.getCause());
            }
            outcome = reply.accepted() ? "accepted" : "refused";
            if (!reply.accepted()) {
                throw CommandOutcomes.refusal(reply);
            }
            return reply;
        } finally {
            replies.forget(command.id());
            acknowledgement(command, outcome).record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * {@code berth_gateway_command_seconds{command,outcome}}: from publishing an app command until the
     * scheduler's answer (or giving up), which is most of what a POST, PUT or DELETE of an app costs.
     * {@code command} is the message type (CreateApp, ScaleApp …, a closed set); {@code outcome} is
     * accepted, refused, unanswered (no reply in time: 503) or unsent (Kafka did not take it: 503).
     */
    private Timer acknowledgement(AppCommand command, String outcome) {
        return Timer.builder("berth.gateway.command")
                .description("Time from publishing an app command until the scheduler answered it, by command and outcome")
                .tag("command", command.getClass().getSimpleName()).tag("outcome", outcome)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(metrics);
    }

    /**
     * Publishes a drain / undrain on the compacted {@code berth.node-admin}, keyed by node id (so the
     * latest one per node is what stands), and waits for the ack.
     */
    public void send(NodeAdminCommand command) {
        publish(Topics.NODE_ADMIN, command);
    }

    /**
     * Publishes a volume command on {@code berth.volume-commands}, keyed by its volume id (so the
     * volume service sees one volume's commands in order), and waits for the ack.
     */
    public void send(VolumeCommand command) {
        publish(Topics.VOLUME_COMMANDS, command);
    }

    /**
     * Sends one command and waits for the broker's ack, in a span of the request's trace (when traced)
     * whose context the record carries on to the scheduler.
     */
    private <V> void publish(Topic<String, V> topic, V message) {
        Span span = tracing.sending(topic.name());
        ProducerRecord<String, byte[]> record = RecordTracing.carry(span, topic.record(message));
        Duration timeout = config.kafkaAckTimeout();
        try {
            producer.send(record).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            span.setStatus(StatusCode.ERROR, "interrupted");
            throw unavailable();
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            span.setStatus(StatusCode.ERROR, "not acknowledged: " + e);
            throw unavailable();
        } finally {
            span.end();
        }
    }

    private static ProblemException unavailable() {
        return new ProblemException(Problem.of(503, "kafka-unavailable", "Command not accepted",
                "Kafka did not acknowledge the command in time; nothing was changed. Try again."), Duration.ofSeconds(5));
    }
}
