package dev.berth.contracts.kafka;

import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holds what a service bound to one of its plain consumers to show that consumer's own Kafka metrics (the
 * Micrometer Kafka binder, whose series include {@code kafka_consumer_fetch_manager_records_lag_max}), and
 * closes it before the consumer closes.
 *
 * <p>Why a hook that takes a function: the consumers are made here, in {@code contracts}, which does not
 * depend on Micrometer. The service passes in how to bind (its metrics bean) and gets the lag of consumers
 * Quarkus does not bind by itself, as Quarkus binds only the SmallRye connector's clients.
 */
public final class ConsumerWatch {
    // java.util.logging: contracts carries no logging library, and Quarkus routes it to its own log.
    private static final Logger LOG = Logger.getLogger(ConsumerWatch.class.getName());

    private volatile AutoCloseable binding;

    /** Has {@code watcher} bind {@code consumer}'s metrics; call before the consumer's thread starts polling. */
    public void bind(KafkaConsumer<String, byte[]> consumer,
                     Function<KafkaConsumer<String, byte[]>, AutoCloseable> watcher) {
        binding = watcher.apply(consumer);
    }

    /** Unbinds, if bound. A binding that fails to close is logged: the consumer must close all the same. */
    public void close() {
        AutoCloseable current = binding;
        binding = null;
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing a consumer's metrics binding", e);
            }
        }
    }
}
