package dev.berth.gateway.commands;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.KafkaClientFactory;
import dev.berth.contracts.kafka.PollLoop;
import dev.berth.contracts.messages.CommandReply;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Waits for the scheduler's answers on {@code berth.command-replies}. A request registers the id of
 * its command before sending it (so a reply, however fast, cannot be missed) and waits on the future
 * returned; a reply nobody waits for (another gateway replica's, or one that came after its request
 * gave up) is dropped. One consumer on its own thread, without a group: every replica reads every
 * reply and picks out its own.
 *
 * <p>A plain client ({@code contracts}' {@link KafkaClientFactory} and {@link PollLoop}), not a SmallRye
 * connector channel, though {@code assign-seek} could name the partition and its end: the position must
 * be fixed before the gateway sends its first command ({@link #start()}, on the starting thread), and the
 * connector resolves it later, on its own polling thread, so a reply in between would be skipped and its
 * request answered 503; and the connector always consumes under a group id (a made-up one when none is
 * set), where these replies need none.
 */
public final class CommandReplies implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CommandReplies.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, CompletableFuture<CommandReply>> waiting = new ConcurrentHashMap<>();
    private final PollLoop loop;

    public CommandReplies(String bootstrapServers) {
        // The scheduler writes a reply in the transaction of the change it reports: an ACCEPTED read
        // committed means the change is on berth.apps, never one a failed commit undid. A request is
        // waiting on each reply: do not let the broker hold a fetch for 500 ms.
        this.consumer = KafkaClientFactory.consumer(bootstrapServers, null)
                .readCommitted(Duration.ofMillis(20))
                .create();
        this.loop = new PollLoop("command-replies", consumer, true, Duration.ofSeconds(30), this::run);
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
        loop.start();
    }

    /** Registers a wait for the reply to {@code commandId}; call it before sending the command. */
    public CompletableFuture<CommandReply> expect(String commandId) {
        return waiting.computeIfAbsent(commandId, id -> new CompletableFuture<>());
    }

    /** Stops waiting for {@code commandId} (its request answered or gave up). */
    public void forget(String commandId) {
        waiting.remove(commandId);
    }

    private void run(PollLoop loop) {
        while (loop.running()) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                deliver(record);
            }
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
        loop.close();
    }
}
