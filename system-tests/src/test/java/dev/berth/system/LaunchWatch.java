package dev.berth.system;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.Optional;

/**
 * Follows {@code berth.node-commands} from the moment it is opened, as an agent would
 * ({@code read_committed}), and tells when a launch for an app is committed.
 */
public final class LaunchWatch implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;

    public LaunchWatch(String bootstrapServers) {
        // Kafka's default fetch wait, which this watch has always had: the failover figures stay comparable.
        consumer = TopicFollower.consumerFromNow(bootstrapServers, Topics.NODE_COMMANDS.name(), Duration.ofMillis(500),
                ByteArrayDeserializer.class);
    }

    /**
     * Waits for the first committed launch of {@code appId} and returns {@link System#nanoTime()} at the
     * moment this consumer saw it, with the number of launches for the app in that same poll.
     */
    public Seen awaitLaunch(String appId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int launches = 0;
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                if (launchOf(record).filter(l -> l.appId().equals(appId)).isPresent()) {
                    launches++;
                }
            }
            if (launches > 0) {
                return new Seen(System.nanoTime(), launches);
            }
        }
        throw new AssertionError("no launch of " + appId + " committed within " + timeout);
    }

    /** The launch a node-commands record holds; empty for a kill, a tombstone or a record that is not JSON. */
    public static Optional<LaunchTask> launchOf(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return JsonCodec.decode(record.value(), NodeCommand.class) instanceof LaunchTask launch
                    ? Optional.of(launch) : Optional.empty();
        } catch (MalformedMessageException e) {
            // Other suites put garbage on the topic on purpose (dead-letter tests).
            return Optional.empty();
        }
    }

    /** A launch seen: when (nanoTime) and how many launches of the app were in that poll. */
    public record Seen(long nanoTime, int launches) {
    }

    @Override
    public void close() {
        consumer.close();
    }
}
