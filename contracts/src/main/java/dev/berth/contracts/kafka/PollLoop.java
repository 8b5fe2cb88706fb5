package dev.berth.contracts.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The thread a plain consumer polls on, and how it stops: a running flag, a wake-up of the consumer
 * blocked in {@code poll}, pauses that a stop cuts short, a join with a deadline, and the consumer
 * closed on the loop's own thread (a {@link Consumer} is not thread-safe; only {@code wakeup} may be
 * called from another). Each plain consumer of Berth had its own copy of this; the body, what one
 * poll does, stays with the consumer.
 */
public final class PollLoop implements AutoCloseable {
    // java.util.logging: contracts carries no logging library, and Quarkus routes it to its own log.
    private static final Logger LOG = Logger.getLogger(PollLoop.class.getName());
    /** What the loop's thread runs, with the loop to ask whether it should go on. */
    @FunctionalInterface
    public interface Body {
        void run(PollLoop loop);
    }

    private final String name;
    private final Consumer<?, ?> consumer;
    private final Thread thread;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Duration closeTimeout;
    private volatile boolean running = true;

    /**
     * @param name         the thread's name (and what the logs call it)
     * @param consumer     the consumer the body polls; woken on {@link #close()}, closed when the body ends
     * @param daemon       whether the thread keeps the JVM alive
     * @param closeTimeout how long closing the consumer may take
     * @param body         the loop itself, polling while {@link #running()}
     */
    public PollLoop(String name, Consumer<?, ?> consumer, boolean daemon, Duration closeTimeout, Body body) {
        this.name = name;
        this.consumer = consumer;
        this.closeTimeout = closeTimeout;
        this.thread = new Thread(() -> run(body), name);
        this.thread.setDaemon(daemon);
    }

    public void start() {
        thread.start();
    }

    /** True until {@link #close()} was called (or the thread was interrupted). */
    public boolean running() {
        return running;
    }

    /** True while the thread runs and has not been told to stop: the consumer is still being read. */
    public boolean alive() {
        return running && thread.isAlive();
    }

    /**
     * Waits {@code duration} (after a failure, before trying again), cut short by a stop. Returns true
     * while the loop should go on.
     */
    public boolean pause(Duration duration) {
        try {
            stopping.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        return running;
    }

    /** Throws the {@link WakeupException} a stop means, for a body that waits outside {@code poll}. */
    public void stopIfAsked() {
        if (!running) {
            throw new WakeupException();
        }
    }

    private void run(Body body) {
        try {
            body.run(this);
        } catch (WakeupException e) {
            if (running) {
                LOG.log(Level.SEVERE, name + " woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, name + " stopped", e);
        } finally {
            consumer.close(closeTimeout);
        }
    }

    /** Stops the loop: wakes the consumer out of {@code poll} and waits up to 10 s for the thread. */
    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(10));
    }

    /** Stops the loop and waits up to {@code join} for the thread. */
    public void close(Duration join) throws InterruptedException {
        running = false;
        stopping.countDown();
        consumer.wakeup();
        thread.join(join.toMillis());
    }
}
