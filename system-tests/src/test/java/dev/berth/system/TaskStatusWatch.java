package dev.berth.system;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Follows {@code berth.task-status} from the moment it is opened, on its own thread, and keeps every
 * status an agent reported with the moment ({@link System#nanoTime()}) it arrived here. The gateway
 * shows a task only while the scheduler records it, so how a task ended (its reason, its exit code)
 * is read here, as any outside consumer of the event catalogue would.
 */
public final class TaskStatusWatch implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Seen> seen = new ArrayList<>();
    private final Thread thread = new Thread(this::follow, "task-status-watch");

    /** One status and when it was read. */
    public record Seen(TaskStatus status, long nanoTime) {
    }

    public TaskStatusWatch(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // The default 500 ms fetch wait would be part of every time measured through this watch.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.TASK_STATUS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the lazy end positions now, so nothing reported after this constructor is missed.
        partitions.forEach(consumer::position);
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        try {
            while (true) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                List<Seen> batch = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    decode(record).ifPresent(status -> batch.add(new Seen(status, now)));
                }
                synchronized (this) {
                    seen.addAll(batch);
                }
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    private static Optional<TaskStatus> decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonCodec.decode(record.value(), TaskStatus.class));
        } catch (MalformedMessageException e) {
            return Optional.empty(); // garbage another suite wrote on purpose
        }
    }

    /** Every status seen so far that matches, in arrival order. */
    public synchronized List<Seen> matching(Predicate<TaskStatus> filter) {
        return seen.stream().filter(s -> filter.test(s.status())).toList();
    }

    /** Waits for the first status that matches and returns it. */
    public TaskStatus await(String what, Predicate<TaskStatus> filter, Duration timeout) {
        return Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> matching(filter).stream().findFirst(), Optional::isPresent).orElseThrow().status();
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
    }
}
