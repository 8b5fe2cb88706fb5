package dev.berth.volume.outbox;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.volume.events.PublicVolumeEvents;
import dev.berth.volume.lifecycle.OnVertx;
import dev.berth.volume.kafka.KafkaMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes the outbox on {@code berth.volume-events}, keyed by volume id, in outbox order, each
 * event followed by its public announcement on {@code berth.events} (see {@link PublicVolumeEvents}),
 * and forgets each event only once the broker acknowledged both. One thread, so one publication at a time:
 * the idempotent producer keeps a batch in order and a failed batch is sent again from its first
 * unacknowledged event, never out of order.
 *
 * <p>It runs when woken (after every commit that wrote events, so an event goes out within
 * milliseconds of its change) and, as a safety net, every {@code berth.volume.relay-interval}.
 * Delivery is at least once: a crash between the acknowledgement and the delete publishes the
 * tail of the outbox again, in the same order.
 *
 * <p>It sends through the connector's {@code volume-events} channel ({@code application.properties}:
 * an idempotent acks=all producer that reports each record's acknowledgement): the connector hands the
 * records to one producer in the order they were emitted, and each message's acknowledgement is the
 * broker's, which is all the relay needs to forget a row.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;
    private static final Duration RETRY = Duration.ofSeconds(1);

    @Inject
    OutboxRepository outbox;
    // A batch is up to 2 × BATCH records in flight at once.
    @Inject
    @Channel("volume-events")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4 * BATCH)
    Emitter<byte[]> events;

    private final BlockingQueue<Boolean> wakeUps = new ArrayBlockingQueue<>(1);
    private volatile boolean running;
    private volatile Duration ackTimeout;
    private Thread thread;

    /** Starts publishing. */
    public synchronized void start(Duration interval, Duration ackTimeout) {
        if (thread != null) {
            return;
        }
        this.ackTimeout = ackTimeout;
        running = true;
        thread = new Thread(() -> run(interval), "volume-outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** Publish now: something was just written to the outbox. Cheap; never blocks. */
    public void wakeUp() {
        wakeUps.offer(Boolean.TRUE);
    }

    public synchronized void stop() throws InterruptedException {
        running = false;
        wakeUp();
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            thread = null;
        }
    }

    private void run(Duration interval) {
        while (running) {
            try {
                publishAll();
                wakeUps.poll(interval.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The broker or the database is away: the events stay in the outbox, in order.
                LOG.warnf("publishing volume events failed, retrying in %s: %s", RETRY, e.toString());
                pause();
            }
        }
    }

    /** Publishes everything in the outbox, batch by batch. */
    void publishAll() throws InterruptedException {
        while (running) {
            // Drained before reading: a wake-up arriving from here on finds rows this read may miss.
            wakeUps.clear();
            List<OutboxEvent> batch = OnVertx.await(() -> outbox.oldest(BATCH));
            if (batch.isEmpty()) {
                return;
            }
            List<Long> acknowledged = publish(batch);
            if (!acknowledged.isEmpty()) {
                OnVertx.await(() -> outbox.forget(acknowledged));
            }
            if (acknowledged.size() < batch.size()) {
                throw new IllegalStateException("the broker acknowledged " + acknowledged.size() + " of "
                        + batch.size() + " volume events");
            }
        }
    }

    /** Sends a batch and returns the ids of its longest acknowledged prefix. */
    private List<Long> publish(List<OutboxEvent> batch) throws InterruptedException {
        List<List<CompletableFuture<Void>>> sent = new ArrayList<>(batch.size());
        for (OutboxEvent row : batch) {
            sent.add(send(row));
        }
        List<Long> acknowledged = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            try {
                for (CompletableFuture<Void> ack : sent.get(i)) {
                    ack.get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
                }
                acknowledged.add(batch.get(i).id);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf("volume event %s not acknowledged: %s", batch.get(i).eventId, e.toString());
                break;
            }
        }
        return acknowledged;
    }

    /**
     * Sends one row: the volume event, then its public announcement if it has one. A row is
     * forgotten only once both are acknowledged, so neither stream can miss it; when only one was,
     * both go out again and the repeat carries the same ids.
     */
    private List<CompletableFuture<Void>> send(OutboxEvent row) {
        List<CompletableFuture<Void>> sends = new ArrayList<>(2);
        sends.add(send(new ProducerRecord<>(Topics.VOLUME_EVENTS.name(), row.volumeId,
                row.event.getBytes(StandardCharsets.UTF_8))));
        PublicVolumeEvents.of(JsonCodec.decode(row.event, VolumeEvent.class)).ifPresent(announcement ->
                sends.add(send(Topics.EVENTS.record(announcement))));
        return sends;
    }

    private CompletableFuture<Void> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        events.send(KafkaMessages.of(record, acked));
        return acked;
    }

    private void pause() {
        try {
            // A new commit may cut the pause short: worth a try, the broker may be back.
            wakeUps.poll(RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
