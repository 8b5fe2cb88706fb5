package dev.berth.contracts.kafka;

import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.trace.RecordTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows compacted state topics for a service whose picture of Berth is rebuilt from them (the
 * gateway's view, a router's): reads every partition of the handlers' topics from the beginning,
 * without a consumer group (each replica builds its whole picture), committed records only; applies
 * each record through its {@link TopicHandlers}; sets aside on the dead-letter topic a record that
 * cannot be read, or read but not applied, and goes on; and says when it has read up to the end
 * offsets it saw at start ("caught up": the service's readiness).
 *
 * <p>Why shared: the gateway and the router carried this loop line for line. A plain consumer, not a
 * SmallRye channel: a connector cannot say when a position reached the end offsets seen at start.
 */
public final class StateFollower implements AutoCloseable {
    // java.util.logging: contracts carries no logging library, and Quarkus routes it to its own log.
    private static final Logger LOG = Logger.getLogger(StateFollower.class.getName());

    /** Told after every poll, on the follower's thread. */
    @FunctionalInterface
    public interface AfterPoll {
        /**
         * @param caughtUp true once the topics were read up to where they ended at start
         * @param applied  whether this poll applied any record
         */
        void polled(boolean caughtUp, boolean applied);
    }

    private final TopicHandlers handlers;
    private final KafkaConsumer<String, byte[]> consumer;
    private final String consumerName;
    private final Consumer<ProducerRecord<String, byte[]>> deadLetters;
    private final AfterPoll afterPoll;
    private final PollLoop loop;
    private final ConsumerWatch watch = new ConsumerWatch();
    private volatile boolean caughtUp;
    private volatile RecordTracing tracing = RecordTracing.off();

    /**
     * @param name         the thread's name
     * @param clientId     the consumer's Kafka client id: the {@code client_id} of its metrics ({@link #watchedBy})
     * @param consumerName who set a record aside, in its dead-letter headers ("gateway", "router")
     * @param deadLetters  where a record set aside goes (a producer's send)
     */
    public StateFollower(String name, String clientId, String bootstrapServers, TopicHandlers handlers,
                         String consumerName, Consumer<ProducerRecord<String, byte[]>> deadLetters,
                         AfterPoll afterPoll) {
        this.handlers = handlers;
        this.consumerName = consumerName;
        this.deadLetters = deadLetters;
        this.afterPoll = afterPoll;
        // The scheduler writes state in transactions: show only what it committed, without letting a held
        // fetch add to a change's latency.
        this.consumer = KafkaClientFactory.consumer(bootstrapServers, clientId).readCommitted(Duration.ofMillis(50))
                .create();
        this.loop = new PollLoop(name, consumer, false, Duration.ofSeconds(30), this::run);
    }

    /**
     * Applies each record that carries a trace context in a span of that trace ("apply &lt;topic&gt;"): the
     * gateway's view of a task running closes the trace of the request that launched it. Before {@link #start}.
     */
    public StateFollower traced(RecordTracing tracing) {
        this.tracing = tracing;
        return this;
    }

    /**
     * Lets {@code watcher} bind the consumer's own Kafka metrics (how far it is behind the topics among them)
     * for as long as it reads; the binding is closed before the consumer is. Before {@link #start}.
     */
    public void watchedBy(Function<KafkaConsumer<String, byte[]>, AutoCloseable> watcher) {
        watch.bind(consumer, watcher);
    }

    public void start() {
        loop.start();
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    private void run(PollLoop loop) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : handlers.topicNames()) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
        while (loop.running()) {
            boolean applied = false;
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                apply(record);
                applied = true;
            }
            if (!caughtUp && partitions.stream().allMatch(tp -> consumer.position(tp) >= endAtStart.get(tp))) {
                caughtUp = true;
            }
            afterPoll.polled(caughtUp, applied);
        }
    }

    /** Applies one record; one that cannot be read or applied is set aside and the rest go on. */
    public void apply(ConsumerRecord<String, byte[]> record) {
        Span span = tracing.continueFrom(record, "apply " + record.topic(), SpanKind.CONSUMER);
        try {
            handlers.handle(record);
        } catch (MalformedMessageException e) {
            span.setStatus(StatusCode.ERROR, "dead-lettered: " + e.getMessage());
            deadLetter(record, e.getMessage());
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, "dead-lettered: " + e);
            // A record that decodes but cannot be applied must not stop the picture for everyone: set it
            // aside like a malformed one, and log the stack, since this may be our fault.
            LOG.log(Level.SEVERE, "cannot apply " + record.topic() + "[" + record.partition() + "]@" + record.offset(), e);
            deadLetter(record, "the " + consumerName + " could not apply it: " + e);
        } finally {
            span.end();
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warning("dead-lettering " + record.topic() + "[" + record.partition() + "]@" + record.offset() + ": " + reason);
        deadLetters.accept(DeadLetters.of(record, consumerName, reason));
    }

    @Override
    public void close() throws InterruptedException {
        watch.close();
        loop.close();
    }
}
