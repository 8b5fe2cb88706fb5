package dev.berth.gateway.events;

import dev.berth.contracts.Topics;
import dev.berth.contracts.kafka.KafkaClientFactory;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One reader's stream of {@code berth.events}: its own {@link KafkaConsumer} (assigned the topic's one
 * partition and sought to the reader's position, in no consumer group: readers share nothing and commit
 * nothing) on a thread of its own, since a consumer blocks in {@code poll} and must not be touched by two
 * threads. It polls only while the reader asks for more (a slow reader holds the consumer back, not the
 * gateway's memory) and is closed when the reader leaves.
 *
 * <p>A plain client ({@link KafkaClientFactory}), not a SmallRye connector channel: a channel is
 * configured once per application, while each reader needs a consumer of its own, sought to its own
 * offset, opened and closed with its HTTP request.
 */
final class EventStream {
    private static final Logger LOG = Logger.getLogger(EventStream.class);
    // The topic has one partition by design, so an offset orders every event (Topics.EVENTS.name()).
    private static final TopicPartition PARTITION = new TopicPartition(Topics.EVENTS.name(), 0);
    private static final Duration POLL = Duration.ofMillis(500);

    private final String name;
    private final EventFilter filter;
    private final ExecutorService thread;
    private final Consumer<EventStream> onClosed;
    private final AtomicBoolean closed = new AtomicBoolean();
    // Used on the stream's thread only, but for wakeup(), which is made to be called from another.
    private volatile KafkaConsumer<String, byte[]> consumer;
    private String startNote;

    private EventStream(String name, EventFilter filter, Consumer<EventStream> onClosed) {
        this.name = name;
        this.filter = filter;
        this.onClosed = onClosed;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens a stream at {@code start}, on its own thread; fails (and has closed itself, {@code onClosed}
     * run) when the broker cannot say where the topic begins and ends.
     */
    static Uni<EventStream> open(String name, String bootstrapServers, ResumePoint start, EventFilter filter,
                                 Consumer<EventStream> onClosed) {
        EventStream stream = new EventStream(name, filter, onClosed);
        return Uni.createFrom().item(() -> stream.seek(bootstrapServers, start))
                .runSubscriptionOn(stream.thread)
                .onFailure().invoke(e -> stream.close());
    }

    private EventStream seek(String bootstrapServers, ResumePoint start) {
        consumer = KafkaClientFactory.consumer(bootstrapServers, name)
                // Publishers may write events in the transaction of the change they announce.
                .readCommitted(Duration.ofMillis(50))
                // Never jump silently: losing our place is handled in poll(), with a note to the reader.
                .withoutOffsetStartAt("none")
                // A broker that cannot say where the topic ends gets the caller a 503 in seconds, not a minute.
                .set(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000)
                .create();
        consumer.assign(List.of(PARTITION));
        long earliest = consumer.beginningOffsets(List.of(PARTITION)).get(PARTITION);
        long end = consumer.endOffsets(List.of(PARTITION)).get(PARTITION);
        long from;
        if (start instanceof ResumePoint.After after) {
            long next = after.offset() + 1;
            if (next < earliest) {
                from = earliest;
                startNote = after.offset() < 0 ? "from the earliest event held, " + earliest
                        : "events " + next + " to " + (earliest - 1) + " are no longer held (retention); "
                        + "starting at the earliest held, " + earliest;
            } else if (next > end) {
                from = end;
                startNote = "event " + after.offset() + " is beyond the end of " + Topics.EVENTS.name()
                        + " (the last is " + (end - 1) + "); starting with new events, at " + end;
            } else {
                from = next;
                startNote = "resuming after " + after.offset() + ", at " + next;
            }
        } else {
            from = end;
            startNote = "new events from " + end;
        }
        consumer.seek(PARTITION, from);
        // Resolve the position now, so that an event published once the reader has its first line is sent.
        consumer.position(PARTITION);
        return this;
    }

    /** Where it starts, for the reader; then the events the filter lets through, until the reader leaves. */
    Multi<StreamItem> items() {
        Multi<StreamItem> events = Multi.createBy().repeating()
                .uni(() -> Uni.createFrom().item(this::poll).runSubscriptionOn(this::onThread))
                .indefinitely()
                .onItem().transformToIterable(batch -> batch);
        return Multi.createBy().concatenating()
                .streams(Multi.createFrom().item(new StreamItem.Note(startNote)), events)
                .onTermination().invoke(this::close);
    }

    /** Runs on the stream's thread; once closed, a poll the stream had already asked for is dropped. */
    private void onThread(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nobody waits for it
        }
    }

    private List<StreamItem> poll() {
        List<StreamItem> items = new ArrayList<>();
        if (closed.get()) {
            return items;
        }
        try {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                EventDecoder.Decoded decoded = EventDecoder.decode(record.value());
                if (decoded instanceof EventDecoder.Valid valid) {
                    if (filter.test(valid.event())) {
                        items.add(new StreamItem.Published(record.offset(), valid.event().type(), valid.json()));
                    }
                } else {
                    // Its writer is broken and has dead-lettered it, or will: one bad record must not end
                    // every reader's stream.
                    LOG.warnf("skipping %s@%d for %s: %s", Topics.EVENTS.name(), record.offset(), name,
                            ((EventDecoder.Malformed) decoded).reason());
                }
            }
        } catch (WakeupException e) {
            // close() interrupts a poll in flight; the reader has gone.
        } catch (OffsetOutOfRangeException e) {
            // Retention deleted events before this (slow) reader got to them.
            Long lost = e.offsetOutOfRangePartitions().get(PARTITION);
            consumer.seekToBeginning(List.of(PARTITION));
            long earliest = consumer.position(PARTITION);
            items.add(new StreamItem.Note("events " + lost + " to " + (earliest - 1)
                    + " were deleted (retention) before they were sent; continuing at the earliest held, " + earliest));
        }
        return items;
    }

    /** Closes the consumer on its own thread, once: after the poll in flight, which it cuts short. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    if (consumer != null) {
                        consumer.close(Duration.ofSeconds(5));
                    }
                } catch (RuntimeException e) {
                    LOG.warnf(e, "closing the consumer of %s", name);
                } finally {
                    onClosed.accept(this);
                }
            });
        } catch (RejectedExecutionException e) {
            onClosed.accept(this);
        }
        thread.shutdown();
        if (consumer != null) {
            consumer.wakeup();
        }
    }
}
