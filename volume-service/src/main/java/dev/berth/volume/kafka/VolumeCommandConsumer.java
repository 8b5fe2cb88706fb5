package dev.berth.volume.kafka;

import dev.berth.contracts.Topics;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.volume.lifecycle.Failures;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads {@code berth.volume-commands} on its own thread, in the consumer group
 * {@code berth-volume-service}, and hands each command to the lifecycle, one at a time in topic
 * order. At least once: offsets are committed only after the commands before them were carried out
 * (their transactions committed), and a redelivered command changes nothing, by its id.
 *
 * <p>A record that is not a command goes to the dead-letter topic with the reason. A command the
 * store refuses for good (tried {@value #ATTEMPTS} times) goes there too, so it cannot stop the
 * commands behind it; one that fails because the database is away is retried until it is back.
 */
public final class VolumeCommandConsumer implements AutoCloseable {
    static final String CONSUMER_NAME = "volume-service";
    private static final Logger LOG = Logger.getLogger(VolumeCommandConsumer.class);
    private static final int ATTEMPTS = 3;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Producer<String, byte[]> deadLetters;
    private final Duration ackTimeout;
    private final Consumer<VolumeCommand> handler;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    public VolumeCommandConsumer(String bootstrapServers, String groupId, Producer<String, byte[]> deadLetters,
                           Duration ackTimeout, Consumer<VolumeCommand> handler) {
        this.deadLetters = deadLetters;
        this.ackTimeout = ackTimeout;
        this.handler = handler;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.CLIENT_ID_CONFIG, groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // The scheduler writes its commands in transactions: never act on an aborted one.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // A read_committed fetch may wait up to fetch.max.wait.ms (500 ms by default) for a
                // transaction to be seen committed; a failover's attach should not wait that long.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                // A first start carries out every command already written: the scheduler may have
                // asked for attachments before this service ever ran.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        this.thread = new Thread(this::run, "volume-commands");
    }

    public void start() {
        thread.start();
    }

    public boolean reading() {
        return thread.isAlive() && running;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.VOLUME_COMMANDS.name()));
            while (running) {
                try {
                    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                    for (ConsumerRecord<String, byte[]> record : records) {
                        if (!running) {
                            return;
                        }
                        handle(record);
                    }
                    if (!records.isEmpty()) {
                        consumer.commitSync();
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // The broker went away, or a rebalance took the partition mid-batch: carried-out
                    // commands are not lost, and their redelivery changes nothing.
                    LOG.warnf("reading volume commands failed, retrying: %s", e.getMessage());
                    pause(RETRY);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("volume command consumer woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("volume command consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        VolumeCommandIntake.Verdict verdict = VolumeCommandIntake.read(record.value());
        if (verdict instanceof VolumeCommandIntake.Unreadable unreadable) {
            LOG.warnf("dead-lettering %s: %s", where(record), unreadable.reason());
            deadLetter(record, unreadable.reason());
            return;
        }
        VolumeCommand command = ((VolumeCommandIntake.Readable) verdict).command();
        int refusals = 0;
        while (running) {
            try {
                handler.accept(command);
                return;
            } catch (RuntimeException e) {
                if (!Failures.isPermanent(e)) {
                    LOG.warnf("cannot carry out %s %s yet (%s), retrying", command.getClass().getSimpleName(),
                            command.id(), e.toString());
                    pause(RETRY);
                } else if (++refusals >= ATTEMPTS) {
                    LOG.errorf(e, "dead-lettering %s: carrying it out failed %d times", where(record), refusals);
                    deadLetter(record, "failed: " + e);
                    return;
                }
            }
        }
    }

    /** Sends to the dead-letter topic and waits for the ack: a message set aside is never lost. */
    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        ProducerRecord<String, byte[]> letter = DeadLetters.of(record, CONSUMER_NAME, reason);
        while (running) {
            try {
                deadLetters.send(letter).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (Exception e) {
                LOG.warnf("cannot dead-letter %s yet: %s", where(record), e.toString());
                pause(RETRY);
            }
        }
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

    @Override
    public void close() throws InterruptedException {
        running = false;
        stopping.countDown();
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
