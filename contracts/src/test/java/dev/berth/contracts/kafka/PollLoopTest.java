package dev.berth.contracts.kafka;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PollLoopTest {
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");

    @Test
    void closingWakesTheConsumerOutOfPollAndClosesItOnTheLoopsThread() throws Exception {
        // Given a loop polling a consumer
        CountDownLatch polling = new CountDownLatch(1);
        AtomicInteger polls = new AtomicInteger();
        PollLoop loop = new PollLoop("test-loop", consumer, true, Duration.ofSeconds(1), l -> {
            while (l.running()) {
                consumer.poll(Duration.ofMillis(50));
                polls.incrementAndGet();
                polling.countDown();
            }
        });
        loop.start();
        assertTrue(polling.await(5, TimeUnit.SECONDS));
        assertTrue(loop.alive());

        // When it is closed
        loop.close(Duration.ofSeconds(5));

        // Then its thread has ended and the consumer is closed
        assertFalse(loop.alive());
        assertTrue(consumer.closed());
    }

    @Test
    void aPauseEndsAtOnceWhenTheLoopIsClosed() throws Exception {
        // Given a loop that pauses for a minute after a failure
        CountDownLatch pausing = new CountDownLatch(1);
        PollLoop loop = new PollLoop("test-loop", consumer, true, Duration.ofSeconds(1), l -> {
            pausing.countDown();
            while (l.pause(Duration.ofMinutes(1))) {
                // a failure, again and again
            }
        });
        loop.start();
        assertTrue(pausing.await(5, TimeUnit.SECONDS));

        // When it is closed, then the pause ends and the thread with it, well before the minute
        long start = System.nanoTime();
        loop.close(Duration.ofSeconds(5));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertFalse(loop.alive());
        assertTrue(consumer.closed());
    }
}
