package dev.berth.volume.kafka;

import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.volume.VolumeConfig;
import dev.berth.volume.lifecycle.Failures;
import dev.berth.volume.lifecycle.VolumeCommands;
import dev.berth.volume.metrics.VolumeMetrics;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@code berth.volume-commands} through the SmallRye Kafka connector (channel
 * {@code volume-commands}, configured in {@code application.properties}: group
 * {@code berth-volume-service}, read_committed, from the earliest offset on a first start) and hands
 * each command to the lifecycle, one at a time in topic order ({@code @Blocking}, ordered, on a worker
 * thread). At least once: a command is acknowledged only once it was carried out (its transaction
 * committed), and the connector's {@code throttled} commit strategy commits an offset only when every
 * record before it was acknowledged; a redelivered command changes nothing, by its id.
 *
 * <p>A record that is not a command goes to the dead-letter topic with the reason (Berth's own
 * headers, {@link DeadLetters}, through the {@code dead-letters} channel; not the connector's
 * dead-letter strategy, whose headers differ). A command the store refuses for good (tried
 * {@value #ATTEMPTS} times) goes there too, so it cannot stop the commands behind it; one that fails
 * because the database is away is retried until it is back. Nothing is read before the start-up
 * recovery has run ({@link #open()}).
 */
@ApplicationScoped
public class VolumeCommandConsumer {
    static final String CONSUMER_NAME = "volume-service";
    private static final Logger LOG = Logger.getLogger(VolumeCommandConsumer.class);
    private static final int ATTEMPTS = 3;
    private static final Duration RETRY = Duration.ofSeconds(1);

    @Inject
    VolumeCommands commands;
    @Inject
    VolumeConfig config;
    @Inject
    DeadLetterChannel deadLetters;
    @Inject
    VolumeMetrics metrics;

    private final CountDownLatch opened = new CountDownLatch(1);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean running = true;

    /** Lets commands through: the recovery has run and the topics exist. */
    void open() {
        opened.countDown();
    }

    /** True once commands are let through and until the service stops. */
    boolean reading() {
        return running && opened.getCount() == 0;
    }

    /** Stops carrying out and retrying; what is not acknowledged is read again by the next start. */
    void stop() {
        running = false;
        stopping.countDown();
    }

    @Incoming("volume-commands")
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        ConsumerRecord<String, byte[]> record = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(metadata -> (ConsumerRecord<String, byte[]>) metadata.getRecord())
                .orElseThrow(() -> new IllegalStateException("a volume command without its Kafka record"));
        if (awaitOpen() && handle(record)) {
            return message.ack();
        }
        // Stopping: left unacknowledged, so its offset is not committed and the next start reads it again.
        return CompletableFuture.completedFuture(null);
    }

    private boolean awaitOpen() {
        try {
            while (running && !opened.await(1, TimeUnit.SECONDS)) {
                // The recovery or the topic bootstrap is still running.
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        return running;
    }

    /** Carries out (or sets aside) one record; false when the service stopped first. */
    private boolean handle(ConsumerRecord<String, byte[]> record) {
        VolumeCommandIntake.Verdict verdict = VolumeCommandIntake.read(record.value());
        if (verdict instanceof VolumeCommandIntake.Unreadable unreadable) {
            LOG.warnf("dead-lettering %s: %s", where(record), unreadable.reason());
            return deadLetter(record, unreadable.reason());
        }
        VolumeCommand command = ((VolumeCommandIntake.Readable) verdict).command();
        int refusals = 0;
        while (running) {
            try {
                commands.execute(command);
                return true;
            } catch (RuntimeException e) {
                if (!Failures.isPermanent(e)) {
                    LOG.warnf("cannot carry out %s %s yet (%s), retrying", command.getClass().getSimpleName(),
                            command.id(), e.toString());
                    pause(RETRY);
                } else if (++refusals >= ATTEMPTS) {
                    LOG.errorf(e, "dead-lettering %s: carrying it out failed %d times", where(record), refusals);
                    return deadLetter(record, "failed: " + e);
                }
            }
        }
        return false;
    }

    /** Sends to the dead-letter topic and waits for the ack: a message set aside is never lost. */
    private boolean deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        while (running) {
            try {
                deadLetters.send(DeadLetters.of(record, CONSUMER_NAME, reason), config.kafkaAckTimeout());
                metrics.deadLettered(record.topic());
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (Exception e) {
                LOG.warnf("cannot dead-letter %s yet: %s", where(record), e.toString());
                pause(RETRY);
            }
        }
        return false;
    }

    private static String where(ConsumerRecord<String, byte[]> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private void pause(Duration duration) {
        try {
            stopping.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** The {@code dead-letters} channel, apart so that only one thread at a time sends on it. */
    @ApplicationScoped
    static class DeadLetterChannel {
        @Inject
        @Channel("dead-letters")
        Emitter<byte[]> emitter;

        synchronized void send(org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> letter, Duration timeout)
                throws Exception {
            CompletableFuture<Void> acked = new CompletableFuture<>();
            emitter.send(KafkaMessages.of(letter, acked));
            acked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
