package dev.berth.gateway.commands;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.CommandReply;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Waits for the scheduler's answers on {@code berth.command-replies}. A request registers the id of
 * its command before sending it (so a reply, however fast, cannot be missed) and waits on the future
 * returned; a reply nobody waits for (another gateway replica's, or one that came after its request
 * gave up) is dropped. One consumer on its own thread, without a group: every replica reads every
 * reply and picks out its own.
 */
public final class CommandReplies implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CommandReplies.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, CompletableFuture<CommandReply>> waiting = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public CommandReplies(String bootstrapServers) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                // The scheduler writes a reply in the transaction of the change it reports: an ACCEPTED
                // read committed means the change is on berth.apps, never one a failed commit undid.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // A request is waiting on each reply: do not let the broker hold a fetch for 500 ms.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        this.thread = new Thread(this::run, "command-replies");
        this.thread.setDaemon(true);
    }

    /**
     * Positions the consumer at the end of the topic (replies to commands sent before this gateway
     * started have nobody to answer) and starts reading. Positioned here, on the caller's thread, so
     * that no command can be sent before the position is fixed.
     */
    public void start() {
        TopicPartition partition = new TopicPartition(Topics.COMMAND_REPLIES.name(), 0);
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition);
        thread.start();
    }

    /** Registers a wait for the reply to {@code commandId}; call it before sending the command. */
    public CompletableFuture<CommandReply> expect(String commandId) {
        return waiting.computeIfAbsent(commandId, id -> new CompletableFuture<>());
    }

    /** Stops waiting for {@code commandId} (its request answered or gave up). */
    public void forget(String commandId) {
        waiting.remove(commandId);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    deliver(record);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || record.value() == null || !waiting.containsKey(record.key())) {
            return;
        }
        try {
            CommandReply reply = JsonCodec.decode(record.value(), CommandReply.class);
            CompletableFuture<CommandReply> future = waiting.remove(reply.commandId() == null ? record.key()
                    : reply.commandId());
            if (future != null) {
                future.complete(reply);
            }
        } catch (MalformedMessageException e) {
            // Its request will time out with 503, which says what is true: the command's fate is unknown.
            LOG.warnf("unreadable reply %s@%d to command %s: %s", record.topic(), record.offset(), record.key(),
                    e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
